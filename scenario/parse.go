package scenario

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// File is a parsed scenario file: its cases in order and the lines after
// the last one.
type File struct {
	// Name is the file's name, as given to the parser.
	Name string
	// Cases are the file's directives in order.
	Cases []Case
	// Trailer holds the comment and blank lines after the last case.
	Trailer []string
}

// Case is one directive of a scenario file: the command line, its input
// and the output it is expected to produce.
type Case struct {
	// Line is the 1-based line of the directive in the file.
	Line int
	// Pre holds the comment and blank lines before the directive.
	Pre []string
	// Directive holds the directive's lines as written (more than one
	// when a line ends in a backslash).
	Directive []string
	// Cmd is the directive's command, its first word.
	Cmd string
	// Args are the directive's arguments, in order.
	Args []Arg
	// Input holds the lines between the directive and the separator.
	Input []string
	// Expected is the expected output, lines ending in "\n" ("" for
	// none); HasSeparator is false when the directive has no "----".
	Expected string
	// HasSeparator is described with Expected above.
	HasSeparator bool
}

// Arg is one argument of a directive: key, key=value or
// key=(value, value, ...). Vals is nil for a bare key.
type Arg struct {
	// Key is the argument's name.
	Key string
	// Vals are its values: one for key=value, several for
	// key=(a, b, ...), nil for a bare key.
	Vals []string
}

// String returns the argument as it is written.
func (a Arg) String() string {
	switch len(a.Vals) {
	case 0:
		if a.Key == "" {
			return ""
		}
		return a.Key
	case 1:
		if !strings.ContainsAny(a.Vals[0], " ,()") {
			return a.Key + "=" + a.Vals[0]
		}
	}
	return a.Key + "=(" + strings.Join(a.Vals, ", ") + ")"
}

// CmdLine returns the case's command and arguments on one line.
func (c *Case) CmdLine() string {
	parts := []string{c.Cmd}
	for _, a := range c.Args {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, " ")
}

// separator separates a directive (and its input) from its expected
// output; two of them in a row open and close an output with blank lines.
const separator = "----"

// Parse reads a scenario file in the format of
// github.com/cockroachdb/datadriven: each case is a directive line
// (a command and its arguments; a line ending in a backslash continues on
// the next), optional input lines, a "----" line and the expected output,
// which ends at the first blank line, or, when it begins with a second
// "----" line, at the next two "----" lines in a row. Lines starting with
// "#" before a directive are comments. name is used in errors, which
// carry the line ("name:12: ...").
func Parse(name string, r io.Reader) (*File, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Name: name}
	var pre []string
	for i := 0; i < len(lines); {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			pre = append(pre, line)
			i++
			continue
		}
		c := Case{Line: i + 1, Pre: pre, Directive: []string{line}}
		pre = nil
		full := trimmed
		i++
		for strings.HasSuffix(full, `\`) && i < len(lines) {
			c.Directive = append(c.Directive, lines[i])
			full = strings.TrimSuffix(full, `\`) + " " + strings.TrimSpace(lines[i])
			i++
		}
		cmd, args, err := ParseLine(full)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, c.Line, err)
		}
		c.Cmd, c.Args = cmd, args
		for i < len(lines) && lines[i] != separator {
			c.Input = append(c.Input, lines[i])
			i++
		}
		if i < len(lines) {
			c.HasSeparator = true
			i++
			var err error
			c.Expected, i, err = readExpected(lines, i)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, c.Line, err)
			}
		}
		for len(c.Input) > 0 && strings.TrimSpace(c.Input[len(c.Input)-1]) == "" && !c.HasSeparator {
			c.Input = c.Input[:len(c.Input)-1] // blank lines before EOF
		}
		f.Cases = append(f.Cases, c)
	}
	f.Trailer = pre
	return f, nil
}

// readExpected reads an expected output starting at lines[i] and returns
// it and the index of the first line after it (and after the blank line
// that ends it).
func readExpected(lines []string, i int) (string, int, error) {
	var b strings.Builder
	if i < len(lines) && lines[i] == separator {
		for i++; i < len(lines); i++ {
			if lines[i] == separator && i+1 < len(lines) && lines[i+1] == separator {
				i += 2
				if i < len(lines) && strings.TrimSpace(lines[i]) != "" {
					return "", i, fmt.Errorf("line %d: a non-blank line after the closing %s %s", i+1, separator, separator)
				}
				return b.String(), i + 1, nil
			}
			b.WriteString(lines[i] + "\n")
		}
		return "", i, fmt.Errorf("the output opened with %s %s is not closed with %s %s", separator, separator, separator, separator)
	}
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "" {
			return b.String(), i + 1, nil
		}
		b.WriteString(lines[i] + "\n")
	}
	return b.String(), i, nil
}

// ParseLine parses a directive line: a command followed by arguments of
// the forms key, key=value and key=(value1, value2, ...) (values in
// parentheses may contain spaces and nested parentheses), as
// github.com/cockroachdb/datadriven does. A blank line gives an empty
// command. It returns an error naming the column of what it cannot parse
// (an unclosed parenthesis, a malformed key).
func ParseLine(line string) (cmd string, args []Arg, err error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", nil, nil
	}
	orig := line
	bad := func() (string, []Arg, error) {
		return "", nil, fmt.Errorf("cannot parse directive at column %d: %s", len(orig)-len(line)+1, orig)
	}
	until := func(chars string) string {
		i := strings.IndexAny(line, chars)
		if i < 0 {
			i = len(line)
		}
		s := line[:i]
		line = line[i:]
		return s
	}
	cmd = until(" ")
	line = strings.TrimSpace(line)
	for line != "" {
		a := Arg{Key: until(" =")}
		if a.Key == "" {
			return bad()
		}
		if line != "" && line[0] == '=' {
			line = line[1:]
			switch {
			case line == "" || line[0] == ' ':
				a.Vals = []string{""}
			case line[0] != '(':
				a.Vals = []string{until(" ")}
			default:
				pos, depth, start := 1, 1, 1
				for depth > 0 {
					if pos == len(line) {
						return bad()
					}
					r, n := utf8.DecodeRuneInString(line[pos:])
					pos += n
					switch r {
					case ',':
						if depth == 1 {
							a.Vals = append(a.Vals, line[start:pos-1])
							for pos < len(line) && line[pos] == ' ' {
								pos++
							}
							start = pos
						}
					case '(':
						depth++
					case ')':
						depth--
					}
				}
				a.Vals = append(a.Vals, line[start:pos-1])
				line = line[pos:]
			}
		}
		args = append(args, a)
		line = strings.TrimSpace(line)
	}
	return cmd, args, nil
}

// Format returns the file with each case's expected output replaced by
// outputs[i] (cases beyond outputs keep theirs): what a rewrite writes.
// An output with a blank line is written between double separators.
func (f *File) Format(outputs []string) []byte {
	var b bytes.Buffer
	line := func(s string) { b.WriteString(s + "\n") }
	for i, c := range f.Cases {
		for _, l := range c.Pre {
			line(l)
		}
		for _, l := range c.Directive {
			line(l)
		}
		for _, l := range c.Input {
			line(l)
		}
		out := c.Expected
		if i < len(outputs) {
			out = outputs[i]
		} else if !c.HasSeparator {
			continue
		}
		line(separator)
		if hasBlankLine(out) {
			line(separator)
			b.WriteString(out)
			line(separator)
			line(separator)
		} else {
			b.WriteString(out)
		}
		line("")
	}
	for _, l := range f.Trailer {
		line(l)
	}
	out := bytes.TrimRight(b.Bytes(), "\n")
	if len(out) == 0 {
		return nil
	}
	return append(out, '\n')
}

// hasBlankLine reports whether the output s has a blank line, which ends
// an output unless it is written between double separators.
func hasBlankLine(s string) bool {
	if s == "" {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			return true
		}
	}
	return false
}
