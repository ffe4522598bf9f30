package policy

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// builtin is the policy shipped in the binary: Rego code under rego/ and
// its data under config/. An override directory is laid out the same way.
//
//go:embed rego config
var builtin embed.FS

// sourceFile is one file of the active policy: its path relative to the
// bundle root (slash-separated), its content and where it came from.
type sourceFile struct {
	path   string
	data   []byte
	origin string // "embedded" or the override directory
}

// bundle is the parsed policy: every Rego module and the data document,
// before compilation.
type bundle struct {
	revision string
	files    []sourceFile // sorted by path
	ignored  []string     // override files that are neither Rego nor JSON
	modules  map[string]*ast.Module
	data     map[string]any
	// dataFiles maps each top-level key under data.config to the file that
	// set it, so that schema errors can name the file.
	dataFiles map[string]string
}

// maxOverrideDepth bounds how deep the override directory is read, which
// also stops symbolic-link loops.
const maxOverrideDepth = 8

// collect returns the embedded files overlaid by the files of dir ("" for
// none): a file of dir replaces the embedded file of the same relative
// path, and new paths add to the bundle.
func collect(dir string) (files []sourceFile, ignored []string, err error) {
	byPath := map[string]sourceFile{}
	err = fs.WalkDir(builtin, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := builtin.ReadFile(p)
		if err != nil {
			return err
		}
		byPath[p] = sourceFile{path: p, data: b, origin: "embedded"}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read the embedded policy: %w", err)
	}
	if dir != "" {
		over, ign, err := readOverride(dir)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range over {
			byPath[f.path] = f
		}
		ignored = ign
	}
	for _, f := range byPath {
		files = append(files, f)
	}
	sortFiles(files)
	return files, ignored, nil
}

func sortFiles(files []sourceFile) {
	slices.SortFunc(files, func(a, b sourceFile) int { return strings.Compare(a.path, b.path) })
}

// readOverride reads the Rego and JSON files of an override directory.
// Hidden entries (".git", an editor's ".swp", Kubernetes' "..data") are
// skipped; symbolic links are followed, as ConfigMap volumes need.
func readOverride(dir string) (files []sourceFile, ignored []string, err error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("policy directory: %w", err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("policy directory %s is not a directory", dir)
	}
	var walk func(abs, rel string, depth int) error
	walk = func(abs, rel string, depth int) error {
		if depth > maxOverrideDepth {
			return fmt.Errorf("policy directory %s: deeper than %d levels (a symbolic-link loop?)", dir, maxOverrideDepth)
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			return fmt.Errorf("read policy directory: %w", err)
		}
		for _, entry := range entries {
			name := entry.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p, r := filepath.Join(abs, name), path.Join(rel, name)
			info, err := os.Stat(p) // follows links
			if err != nil {
				return fmt.Errorf("read policy file: %w", err)
			}
			switch {
			case info.IsDir():
				if err := walk(p, r, depth+1); err != nil {
					return err
				}
			case !info.Mode().IsRegular():
				continue
			case strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, ".json"):
				b, err := os.ReadFile(p)
				if err != nil {
					return fmt.Errorf("read policy file: %w", err)
				}
				files = append(files, sourceFile{path: r, data: b, origin: dir})
			default:
				ignored = append(ignored, r)
			}
		}
		return nil
	}
	if err := walk(dir, "", 0); err != nil {
		return nil, nil, err
	}
	return files, ignored, nil
}

// contentHash is the hex SHA-256 of the paths and contents of files.
func contentHash(files []sourceFile) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.path))
		h.Write([]byte{0})
		h.Write(f.data)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// revisionLength is how many hex digits of the content hash name a revision.
const revisionLength = 12

// parseBundle parses the Rego modules and JSON documents of files. A JSON
// file's content is placed under data at its directory path, the way
// `opa test` and `opa eval -d` load a directory, so config/routing.json
// holding {"routing": ...} becomes data.config.routing.
func parseBundle(files []sourceFile, ignored []string) (*bundle, error) {
	b := &bundle{
		revision:  contentHash(files)[:revisionLength],
		files:     files,
		ignored:   ignored,
		modules:   map[string]*ast.Module{},
		data:      map[string]any{},
		dataFiles: map[string]string{},
	}
	var problems []error
	owner := map[string]string{} // data path of a leaf → file that set it
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.path, ".rego"):
			m, err := ast.ParseModuleWithOpts(f.path, string(f.data), ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				problems = append(problems, err)
				continue
			}
			b.modules[f.path] = m
		case strings.HasSuffix(f.path, ".json"):
			doc, err := decodeJSON(f.data)
			if err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", f.path, err))
				continue
			}
			obj, ok := doc.(map[string]any)
			if !ok {
				problems = append(problems, fmt.Errorf("%s: a data file must hold a JSON object", f.path))
				continue
			}
			dirs := strings.Split(path.Dir(f.path), "/")
			if dirs[0] == "." {
				dirs = nil
			}
			if err := mergeData(b.data, dirs, obj, f.path, owner); err != nil {
				problems = append(problems, err)
				continue
			}
			if len(dirs) == 1 && dirs[0] == "config" {
				for key := range obj {
					b.dataFiles[key] = f.path
				}
			}
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return b, nil
}

// ownerOf returns the file that set the data at p or at its nearest
// ancestor.
func ownerOf(owner map[string]string, p string) string {
	for {
		if f, ok := owner[p]; ok {
			return f
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return "another file"
		}
		p = p[:i]
	}
}

// decodeJSON decodes one JSON value, keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not valid JSON: more than one value")
	}
	return v, nil
}

// mergeData places obj under data at the path dirs. Objects merge key by
// key; two files setting the same key is an error naming both, as in OPA.
func mergeData(data map[string]any, dirs []string, obj map[string]any, file string, owner map[string]string) error {
	node := data
	for _, d := range dirs {
		child, ok := node[d]
		if !ok {
			m := map[string]any{}
			node[d] = m
			node = m
			continue
		}
		m, ok := child.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: data.%s is already set by %s", file, strings.Join(dirs, "."), ownerOf(owner, strings.Join(dirs, ".")))
		}
		node = m
	}
	return mergeObject(node, obj, strings.Join(dirs, "."), file, owner)
}

func mergeObject(dst, src map[string]any, at, file string, owner map[string]string) error {
	for k, v := range src {
		p := k
		if at != "" {
			p = at + "." + k
		}
		existing, ok := dst[k]
		if !ok {
			dst[k] = v
			owner[p] = file
			continue
		}
		a, aok := existing.(map[string]any)
		b, bok := v.(map[string]any)
		if !aok || !bok {
			return fmt.Errorf("%s: data.%s is also set by %s", file, p, ownerOf(owner, p))
		}
		if err := mergeObject(a, b, p, file, owner); err != nil {
			return err
		}
	}
	return nil
}
