package flavor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// writer puts files into the temporary bundle directory, fsyncing each.
type writer struct {
	ctx  context.Context
	dir  string
	link bool
	log  *slog.Logger
}

func (w *writer) writeContents(s *Source, ex *inputExample) error {
	for _, f := range s.ModelFiles {
		if err := w.copy(filepath.Join(s.Dir, f), "model/"+f, false); err != nil {
			return err
		}
	}
	if len(s.ModelFiles) == 1 { // no generation_config.json: write what save_pretrained would
		if err := w.file("model/generation_config.json", generationConfig(s.Config)); err != nil {
			return err
		}
	}
	if s.IndexFile != "" {
		if err := w.copy(filepath.Join(s.Dir, s.IndexFile), "model/"+s.IndexFile, false); err != nil {
			return err
		}
	}
	for _, f := range s.WeightFiles {
		if err := w.copy(filepath.Join(s.Dir, f), "model/"+f, w.link); err != nil {
			return err
		}
	}
	for _, f := range s.TokenizerFiles {
		if err := w.copy(filepath.Join(s.TokenizerDir, f), "components/tokenizer/"+f, false); err != nil {
			return err
		}
	}
	for name, data := range map[string]string{
		"requirements.txt": requirementsTxt(),
		"python_env.yaml":  pythonEnvYAML(),
		"conda.yaml":       condaYAML(),
	} {
		if err := w.file(name, []byte(data)); err != nil {
			return err
		}
	}
	if ex != nil {
		if err := w.file("input_example.json", ex.example); err != nil {
			return err
		}
		if err := w.file("serving_input_example.json", ex.serving); err != nil {
			return err
		}
	}
	return nil
}

func generationConfig(cfg map[string]any) []byte {
	g := map[string]any{"_from_model_config": true, "transformers_version": TransformersVersion}
	for _, k := range []string{"bos_token_id", "eos_token_id", "pad_token_id"} {
		if v, ok := cfg[k]; ok && v != nil {
			g[k] = v
		}
	}
	b, _ := json.MarshalIndent(g, "", "  ")
	return append(b, '\n')
}

func (w *writer) path(rel string) (string, error) {
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("flavor: creating %s: %w", filepath.Dir(p), err)
	}
	return p, nil
}

// file writes data to rel and fsyncs it.
func (w *writer) file(rel string, data []byte) error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("flavor: writing %s: %w", rel, err)
	}
	p, err := w.path(rel)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("flavor: writing %s: %w", rel, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("flavor: writing %s: %w", rel, err)
	}
	return nil
}

// copy copies src to rel (hard-linking when link is set and possible),
// checking ctx between chunks, and fsyncs the copy.
func (w *writer) copy(src, rel string, link bool) error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("flavor: copying %s: %w", src, err)
	}
	dst, err := w.path(rel)
	if err != nil {
		return err
	}
	if link {
		target := src
		if real, err := filepath.EvalSymlinks(src); err == nil {
			target = real // link the file, not a symlink to it
		}
		if err := os.Link(target, dst); err == nil {
			w.log.Log(w.ctx, logLevel(rel), "linked", "file", rel)
			return nil
		}
		w.log.Info("hard link failed, copying instead", "file", rel)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("flavor: copying %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("flavor: copying %s: %w", src, err)
	}
	err = copyChunks(w.ctx, out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("flavor: copying %s: %w", src, err)
	}
	w.log.Log(w.ctx, logLevel(rel), "copied", "file", rel)
	return nil
}

// logLevel reports weight files at Info (they take the time), others at Debug.
func logLevel(rel string) slog.Level {
	if strings.HasSuffix(rel, ".safetensors") {
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// copyChunks copies in to out in 64 MiB steps, checking ctx between them.
// io.CopyN from one *os.File to another lets the kernel copy
// (copy_file_range), so weights never pass through user space.
func copyChunks(ctx context.Context, out, in *os.File) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := io.CopyN(out, in, 64<<20)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("flavor: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("flavor: syncing %s: %w", dir, err)
	}
	return nil
}
