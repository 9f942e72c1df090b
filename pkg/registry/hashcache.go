package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// digestCache remembers file digests keyed by absolute path, size,
// modification time and inode, so a re-push of a multi-GB bundle does not
// re-read it. It is best effort: any error means a miss. A stale entry
// cannot corrupt a push: the registry checks the digest of what arrives.
type digestCache struct{ dir string }

func (c digestCache) key(path string, st os.FileInfo) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	var dev, ino uint64
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		dev, ino = uint64(s.Dev), s.Ino
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%d\x00%d", abs, st.Size(), st.ModTime().UnixNano(), dev, ino))
	return hex.EncodeToString(h[:])
}

func (c digestCache) file(key string) string {
	return filepath.Join(c.dir, "digests", key[:2], key)
}

func (c digestCache) get(path string, st os.FileInfo) (string, bool) {
	if c.dir == "" {
		return "", false
	}
	key := c.key(path, st)
	if key == "" {
		return "", false
	}
	b, err := os.ReadFile(c.file(key))
	d := strings.TrimSpace(string(b))
	if err != nil || !digestRE.MatchString(d) {
		return "", false
	}
	return d, true
}

func (c digestCache) put(path string, st os.FileInfo, digest string) {
	if c.dir == "" {
		return
	}
	key := c.key(path, st)
	if key == "" {
		return
	}
	p := c.file(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), key+".tmp*")
	if err != nil {
		return
	}
	_, err = tmp.WriteString(digest + "\n")
	if cerr := tmp.Close(); err == nil && cerr == nil {
		if os.Rename(tmp.Name(), p) == nil {
			return
		}
	}
	os.Remove(tmp.Name())
}
