package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// stagingDir is the hidden folder inside the pull target where blobs are
// downloaded, verified and kept between runs for resuming.
const stagingDir = ".mlpack-pull"

// checkPath refuses layer paths that could escape or confuse the target
// folder: empty, absolute, Windows drive or backslash forms, "." or ".."
// components, non-canonical forms, NUL bytes, and mlpack's staging folder.
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.ContainsRune(p, 0):
		return fmt.Errorf("path %q contains a NUL byte", p)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("path %q is absolute", p)
	case strings.Contains(p, `\`):
		return fmt.Errorf("path %q contains a backslash", p)
	case len(p) >= 2 && p[1] == ':':
		return fmt.Errorf("path %q has a drive letter", p)
	}
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "..":
			return fmt.Errorf("path %q climbs out of the target with ..", p)
		case ".", "":
			return fmt.Errorf("path %q is not in canonical form", p)
		case stagingDir:
			return fmt.Errorf("path %q uses mlpack's staging folder name", p)
		}
	}
	if path.Clean(p) != p {
		return fmt.Errorf("path %q is not in canonical form", p)
	}
	return nil
}

// checkPathSet refuses duplicate paths and a path that is also a directory
// of another path ("a" and "a/b").
func checkPathSet(paths []string) error {
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[p] {
			return fmt.Errorf("path %q appears twice", p)
		}
		seen[p] = true
	}
	for _, p := range paths {
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			if seen[d] {
				return fmt.Errorf("path %q is a file and also the folder of %q", d, p)
			}
		}
	}
	return nil
}

// checkNoSymlink refuses when any existing component of rel below root is a
// symlink (or a parent component is not a directory), so a write to
// root/rel cannot land outside root. It returns the final component's info,
// nil when it does not exist.
func checkNoSymlink(root, rel string) (fs.FileInfo, error) {
	parts := strings.Split(rel, "/")
	cur := root
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		st, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s is a symlink; refusing to write %q through it", cur, rel)
		}
		if i < len(parts)-1 && !st.IsDir() {
			return nil, fmt.Errorf("%s is not a folder; cannot write %q", cur, rel)
		}
		if i == len(parts)-1 {
			if !st.Mode().IsRegular() {
				return nil, fmt.Errorf("%s exists and is not a regular file", cur)
			}
			return st, nil
		}
	}
	return nil, nil
}

// matchInclude reports whether p matches one of the globs: path.Match
// syntax plus "**" for any number of folders ("**/*.json"). A glob without
// a slash also matches the file's base name, so "tokenizer*" selects
// components/tokenizer/tokenizer.json, and a glob ending in "/" selects a
// folder. No globs selects everything.
func matchInclude(globs []string, p string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if strings.HasSuffix(g, "/") && strings.HasPrefix(p, g) {
			return true
		}
		if globMatch(g, p) {
			return true
		}
		if !strings.Contains(g, "/") && globMatch(g, path.Base(p)) {
			return true
		}
	}
	return false
}

// globMatch matches p against g with path.Match semantics per segment and
// "**" standing for zero or more whole segments.
func globMatch(g, p string) bool {
	return matchSegments(strings.Split(g, "/"), strings.Split(p, "/"))
}

func matchSegments(gs, ps []string) bool {
	for len(gs) > 0 {
		if gs[0] == "**" {
			for i := 0; i <= len(ps); i++ {
				if matchSegments(gs[1:], ps[i:]) {
					return true
				}
			}
			return false
		}
		if len(ps) == 0 {
			return false
		}
		if ok, err := path.Match(gs[0], ps[0]); err != nil || !ok {
			return false
		}
		gs, ps = gs[1:], ps[1:]
	}
	return len(ps) == 0
}
