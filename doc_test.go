package passengine_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestEveryExportedNameIsDocumented: every package of the module (test
// files, testdata and nested modules left out) has a package comment,
// and every exported name has a doc comment: functions, methods of
// exported types, types, constants and variables (a comment on their
// group counts), the fields of exported structs (a comment above or at
// the end of the line; embedded fields excepted) and the methods of
// exported interfaces. Package main has only its package comment
// checked: its exported names are no API.
func TestEveryExportedNameIsDocumented(t *testing.T) {
	var missing []string
	packages := 0
	err := walkModule(parser.ParseComments, func(path string, fset *token.FileSet, pkg *ast.Package) {
		packages++
		missing = append(missing, undocumented(fset, path, pkg)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	if packages < 20 {
		t.Fatalf("read %d packages: the module was not walked", packages)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
	if len(missing) > 0 {
		t.Errorf("%d exported names without a doc comment", len(missing))
	}
}

// walkModule parses the non-test Go files of every package of the module
// (testdata, hidden folders and nested modules left out) with mode, and
// calls fn with each package and the folder it is in. It returns the
// first error of the walk or of the parser.
func walkModule(mode parser.Mode, fn func(dir string, fset *token.FileSet, pkg *ast.Package)) error {
	return filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != "." {
			name := d.Name()
			if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, path, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") },
			mode|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, pkg := range pkgs {
			fn(path, fset, pkg)
		}
		return nil
	})
}

// undocumented returns "file:line: name" for each name of pkg that
// TestEveryExportedNameIsDocumented requires a comment on and that has
// none.
func undocumented(fset *token.FileSet, dir string, pkg *ast.Package) []string {
	var out []string
	miss := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		out = append(out, fmt.Sprintf("%s:%d: %s", p.Filename, p.Line, fmt.Sprintf(format, args...)))
	}
	hasPackageDoc := false
	for _, f := range pkg.Files {
		hasPackageDoc = hasPackageDoc || f.Doc != nil
	}
	if !hasPackageDoc {
		out = append(out, fmt.Sprintf("%s: package %s has no package comment", dir, pkg.Name))
	}
	if pkg.Name == "main" {
		return out
	}
	for _, f := range pkg.Files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || (d.Recv != nil && !exportedReceiver(d.Recv)) {
					continue
				}
				if d.Doc == nil {
					miss(d.Pos(), "func %s", funcName(d))
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						if s.Doc == nil && (d.Doc == nil || d.Lparen.IsValid()) {
							miss(s.Pos(), "type %s", s.Name.Name)
						}
						out = append(out, undocumentedMembers(fset, s)...)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
								miss(n.Pos(), "%s %s", d.Tok, n.Name)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// undocumentedMembers returns the exported fields of struct type s, or
// the methods of interface type s, that have no comment.
func undocumentedMembers(fset *token.FileSet, s *ast.TypeSpec) []string {
	var fields *ast.FieldList
	what := "field"
	switch t := s.Type.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields, what = t.Methods, "method"
	default:
		return nil
	}
	var out []string
	for _, f := range fields.List {
		if len(f.Names) == 0 || f.Doc != nil || f.Comment != nil { // embedded, or documented
			continue
		}
		for _, n := range f.Names {
			if n.IsExported() {
				p := fset.Position(n.Pos())
				out = append(out, fmt.Sprintf("%s:%d: %s %s.%s", p.Filename, p.Line, what, s.Name.Name, n.Name))
			}
		}
	}
	return out
}

func exportedReceiver(recv *ast.FieldList) bool {
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return false
		}
	}
}

func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if x, ok := t.(*ast.IndexExpr); ok {
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}
