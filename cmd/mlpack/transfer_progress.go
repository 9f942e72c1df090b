package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/sys/unix"

	"github.com/mlpack-go/mlpack/pkg/registry"
)

// isTerminal reports whether w is a terminal that can show progress bars.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return false
	}
	// A terminal without a width (some CI pseudo-terminals) cannot show
	// bars; plain lines work everywhere.
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	return err == nil && ws.Col > 0
}

// transferProgress renders registry progress events on stderr: one bar per
// file plus a total bar on a terminal, plain lines otherwise.
type transferProgress struct {
	verb  string // "push" or "pull"
	w     io.Writer
	mu    sync.Mutex
	p     *mpb.Progress
	total *mpb.Bar
	bars  map[string]*mpb.Bar
	done  map[string]int64 // per file, for the total bar
	sum   int64            // total bar size
	tenth map[string]int64 // plain mode: last tenth reported per large file
	quiet bool

	finished bool
}

func newTransferProgress(e *env, verb string, quiet bool) *transferProgress {
	t := &transferProgress{verb: verb, w: e.Stderr, bars: map[string]*mpb.Bar{}, done: map[string]int64{}, tenth: map[string]int64{}, quiet: quiet}
	if !quiet && isTerminal(e.Stderr) {
		t.p = mpb.New(mpb.WithOutput(e.Stderr), mpb.WithWidth(40), mpb.WithAutoRefresh())
		t.total = t.p.AddBar(0, mpb.BarPriority(1<<30),
			mpb.PrependDecorators(decor.Name("total", decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f"), decor.Name(" "), decor.AverageSpeed(decor.SizeB1024(0), "% .1f")))
	}
	return t
}

// event is a registry.Progress.
func (t *transferProgress) event(ev registry.Event) {
	if t.quiet {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.p == nil {
		t.plain(ev)
		return
	}
	b := t.bars[ev.Path]
	if b == nil && (ev.Kind == registry.EventStart || ev.Kind == registry.EventSkip) {
		b = t.p.AddBar(ev.Size, mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name(ev.Path, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f"), decor.Name(" "), decor.Percentage()))
		t.bars[ev.Path] = b
		t.sum += ev.Size
		t.total.SetTotal(t.sum, false)
	}
	if b == nil {
		return
	}
	delta := ev.Done - t.done[ev.Path]
	t.done[ev.Path] = ev.Done
	t.total.IncrInt64(delta)
	b.SetCurrent(ev.Done)
	if ev.Kind == registry.EventSkip || ev.Kind == registry.EventDone {
		b.SetTotal(ev.Size, true)
	}
}

func (t *transferProgress) plain(ev registry.Event) {
	switch ev.Kind {
	case registry.EventStart:
		if ev.Done > 0 {
			fmt.Fprintf(t.w, "%s: %s (%s, resuming at %s)\n", t.verb, ev.Path, humanBytes(ev.Size), humanBytes(ev.Done))
		} else {
			fmt.Fprintf(t.w, "%s: %s (%s)\n", t.verb, ev.Path, humanBytes(ev.Size))
		}
	case registry.EventProgress:
		// Large files report every 10 % so logs show movement.
		if ev.Size >= 64<<20 {
			if k := ev.Done * 10 / ev.Size; k > t.tenth[ev.Path] && k < 10 {
				t.tenth[ev.Path] = k
				fmt.Fprintf(t.w, "%s: %s %d%% (%s of %s)\n", t.verb, ev.Path, k*10, humanBytes(ev.Done), humanBytes(ev.Size))
			}
		}
	case registry.EventRetry:
		if ev.Err != nil {
			fmt.Fprintf(t.w, "%s: %s: retrying from %s after: %v\n", t.verb, ev.Path, humanBytes(ev.Done), ev.Err)
		} else {
			fmt.Fprintf(t.w, "%s: %s: retrying\n", t.verb, ev.Path)
		}
	case registry.EventSkip:
		fmt.Fprintf(t.w, "%s: %s (%s) already there, skipped\n", t.verb, ev.Path, humanBytes(ev.Size))
	case registry.EventDone:
		fmt.Fprintf(t.w, "%s: %s done\n", t.verb, ev.Path)
	}
}

// finish stops the bars; call it before printing anything else on stderr.
func (t *transferProgress) finish() {
	if t.p == nil || t.finished {
		return
	}
	t.finished = true
	t.mu.Lock()
	t.total.SetTotal(-1, true)
	for _, b := range t.bars {
		if !b.Completed() {
			b.Abort(true)
		}
	}
	t.mu.Unlock()
	t.p.Wait()
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
