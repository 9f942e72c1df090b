package registry

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// maxExpansion bounds how much a compressed tar layer may expand, so a
// small hostile blob cannot fill the disk.
const maxExpansion = 100

// extractTar unpacks a verified tar layer (plain, gzip or zstd) into dest,
// refusing entries that are not regular files or folders, unsafe names and
// duplicates. It returns the slash paths of the files, relative to dest.
func extractTar(blob string, format layerFormat, size int64, dest string) ([]string, error) {
	f, err := os.Open(blob)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	switch format {
	case formatTarGzip:
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip layer: %v", ErrInvalidArtifact, err)
		}
		defer gz.Close()
		r = gz
	case formatTarZstd:
		zr, err := zstd.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%w: zstd layer: %v", ErrInvalidArtifact, err)
		}
		defer zr.Close()
		r = zr
	}
	budget := max(size, 1<<20) * maxExpansion
	if format == formatTar {
		budget = size
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	tr := tar.NewReader(r)
	var files []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: reading tar layer: %v", ErrInvalidArtifact, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/")
		if name == "" || name == "." {
			continue
		}
		if err := checkPath(name); err != nil {
			return nil, fmt.Errorf("%w: tar entry: %v", ErrInvalidArtifact, err)
		}
		if _, err := checkNoSymlink(dest, name); err != nil && hdr.Typeflag != tar.TypeDir {
			return nil, fmt.Errorf("%w: tar entry: %v", ErrInvalidArtifact, err)
		}
		p := filepath.Join(dest, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return nil, fmt.Errorf("%w: tar entry %q: %v", ErrInvalidArtifact, name, err)
			}
		case tar.TypeReg:
			if hdr.Size > budget {
				return nil, fmt.Errorf("%w: tar entry %q expands beyond %d bytes", ErrInvalidArtifact, name, budget)
			}
			budget -= hdr.Size
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, fmt.Errorf("%w: tar entry %q: %v", ErrInvalidArtifact, name, err)
			}
			if err := writeEntry(p, tr); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return nil, fmt.Errorf("%w: tar entry %q appears twice", ErrInvalidArtifact, name)
				}
				return nil, fmt.Errorf("%w: tar entry %q: %v", ErrInvalidArtifact, name, err)
			}
			files = append(files, name)
		default:
			return nil, fmt.Errorf("%w: tar entry %q is not a regular file or folder (type %q); links and devices are refused", ErrInvalidArtifact, name, hdr.Typeflag)
		}
	}
	return files, nil
}

func writeEntry(p string, r io.Reader) error {
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
