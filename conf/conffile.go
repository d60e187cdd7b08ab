package conf

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// File is a parsed ceph.conf: sections by heading, each a map from
// normalized key to value (ConfFile in src/common/ConfUtils.h). A later
// line with the same key wins, and a repeated section is merged into the
// first, as Ceph does.
type File struct {
	Sections map[string]map[string]string
	// Order lists the section headings in the order first seen.
	Order []string
}

// maxFileSize is MAX_CONFIG_FILE_SZ.
const maxFileSize = 0x40000000

// ReadFile reads and parses a configuration file.
func ReadFile(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("conf: %w", err)
	}
	if !st.Mode().IsRegular() {
		// ConfFile::parse_file treats /dev/null and other special files as empty.
		return &File{Sections: map[string]map[string]string{}}, nil
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("conf: config file '%s' is %d bytes, but the maximum is %d", path, st.Size(), maxFileSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("conf: %w", err)
	}
	return Parse(b)
}

// Get returns the value of key in section; key is normalized as Ceph
// normalizes it (runs of whitespace become one underscore).
func (f *File) Get(section, key string) (string, bool) {
	s, ok := f.Sections[section]
	if !ok {
		return "", false
	}
	v, ok := s[normalizeKey(key)]
	return v, ok
}

// normalizeKey is ConfFile::normalize_key_name: trim whitespace and turn
// each inner run of whitespace into one underscore. Dashes are kept: in
// Pacific a file key "mon-data" does not set mon_data (ceph-conf agrees).
func normalizeKey(k string) string {
	return strings.Join(strings.FieldsFunc(k, isCSpace), "_")
}

func (f *File) set(section, key, val string) {
	s, ok := f.Sections[section]
	if !ok {
		s = map[string]string{}
		f.Sections[section] = s
		f.Order = append(f.Order, section)
	}
	s[key] = val
}

// ParseError reports where a configuration file stops following Ceph's
// grammar; Line and Column count from 1.
type ParseError struct {
	Line, Column int
	Expected     string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("conf: parse error: expected %s in line %d at position %d", e.Expected, e.Line, e.Column)
}

// Parse parses the text of a configuration file with the grammar of
// ConfFile::parse_buffer (a boost::spirit grammar in ConfUtils.cc):
//
//   - sections start with "[name]"; before the first one only empty lines
//     and comments may appear, except that a file made of one "key = value"
//     line alone is accepted and read as [global];
//   - "key = value" lines, where the key is words separated by blanks and
//     the value is either quoted ('...' or "...") or runs to the end of the
//     line or a comment, with surrounding whitespace trimmed;
//   - comments start with '#' or ';' anywhere a token may start and run to
//     the end of the line; inside a quoted value they are an error;
//   - a backslash escapes the next character, and a backslash at the end of
//     a line continues the line;
//   - every key line and heading must end with a newline (a missing final
//     newline is an error, as in Ceph on Linux);
//   - the text must be valid UTF-8.
func Parse(b []byte) (*File, error) {
	if !utf8.Valid(b) {
		n := 0
		for len(b[n:]) > 0 {
			r, size := utf8.DecodeRune(b[n:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			n += size
		}
		return nil, fmt.Errorf("conf: parse error: invalid UTF-8 found at line %d", strings.Count(string(b[:n]), "\n")+1)
	}
	p := &parser{s: string(b), f: &File{Sections: map[string]map[string]string{}}}
	if err := p.file(); err != nil {
		return nil, err
	}
	return p.f, nil
}

type parser struct {
	s   string
	i   int
	f   *File
	err *ParseError
}

func (p *parser) fail(expected string) error {
	line := strings.Count(p.s[:p.i], "\n") + 1
	col := p.i - (strings.LastIndexByte(p.s[:p.i], '\n') + 1) + 1
	return &ParseError{Line: line, Column: col, Expected: expected}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// eolLen returns the length of the line ending at i (\r\n, \n or \r), or 0.
func (p *parser) eolLen(i int) int {
	if i < len(p.s) {
		switch p.s[i] {
		case '\n':
			return 1
		case '\r':
			if i+1 < len(p.s) && p.s[i+1] == '\n' {
				return 2
			}
			return 1
		}
	}
	return 0
}

func (p *parser) eol() bool {
	if n := p.eolLen(p.i); n > 0 {
		p.i += n
		return true
	}
	return false
}

// skip is the grammar's skipper, run before every token: it consumes line
// continuations (a backslash right before a newline) and comments (blanks,
// then '#' or ';', then everything up to the newline).
func (p *parser) skip() {
	for {
		if p.i < len(p.s) && p.s[p.i] == '\\' && p.eolLen(p.i+1) > 0 {
			p.i += 1 + p.eolLen(p.i+1)
			continue
		}
		j := p.i
		for j < len(p.s) && isBlank(p.s[j]) {
			j++
		}
		if j < len(p.s) && (p.s[j] == '#' || p.s[j] == ';') {
			for j < len(p.s) && p.eolLen(j) == 0 {
				j++
			}
			p.i = j
			continue
		}
		return
	}
}

// textChar reads one character of text: an escaped character, or any
// character but a comment start or a line end. stop lists further
// characters that end the text (they are still allowed when escaped).
func (p *parser) textChar(stop string) (byte, bool) {
	if p.i >= len(p.s) {
		return 0, false
	}
	c := p.s[p.i]
	if c == '\\' && p.i+1 < len(p.s) && p.eolLen(p.i+1) == 0 {
		p.i += 2
		return p.s[p.i-1], true
	}
	if c == '#' || c == ';' || p.eolLen(p.i) > 0 || strings.IndexByte(stop, c) >= 0 {
		return 0, false
	}
	p.i++
	return c, true
}

// emptyLine matches optional blanks or a comment, then a newline.
func (p *parser) emptyLine() bool {
	save := p.i
	p.skip()
	for p.i < len(p.s) && isBlank(p.s[p.i]) {
		p.i++
	}
	if p.eol() {
		return true
	}
	p.i = save
	return false
}

func (p *parser) emptyLines() bool {
	if !p.emptyLine() {
		return false
	}
	for p.emptyLine() {
	}
	return true
}

func (p *parser) file() error {
	// A file that is a single key = value line (and empty lines).
	save := p.i
	k, v, ok, err := p.keyVal()
	if err != nil {
		return err
	}
	if ok {
		p.skip()
		if p.i != len(p.s) {
			return p.fail("'<eoi>'")
		}
		p.f.set("global", k, v)
		return nil
	}
	p.i = save
	for {
		p.skip()
		if !p.eol() {
			break
		}
	}
	section := ""
	for {
		p.skip()
		if p.i == len(p.s) {
			return nil
		}
		if p.s[p.i] == '[' {
			name, err := p.heading()
			if err != nil {
				return err
			}
			section = name
			if _, ok := p.f.Sections[name]; !ok {
				p.f.Sections[name] = map[string]string{}
				p.f.Order = append(p.f.Order, name)
			}
			continue
		}
		if section == "" {
			return p.fail("'<eoi>'")
		}
		start := p.i
		k, v, ok, err := p.keyVal()
		if err != nil {
			return err
		}
		if ok {
			p.f.set(section, k, v)
			continue
		}
		p.i = start
		if p.eol() {
			continue
		}
		return p.fail("'<eoi>'")
	}
}

// heading parses "[name]" and the empty lines after it.
func (p *parser) heading() (string, error) {
	p.i++ // '['
	var name []byte
	for {
		p.skip()
		c, ok := p.textChar("]")
		if !ok {
			break
		}
		name = append(name, c)
	}
	if len(name) == 0 {
		return "", p.fail("section name")
	}
	if p.i >= len(p.s) || p.s[p.i] != ']' {
		return "", p.fail("\"]\"")
	}
	p.i++
	if !p.emptyLines() {
		return "", p.fail("'<empty_line>'")
	}
	return string(name), nil
}

// keyVal parses "key = value" and the empty lines after it. ok is false,
// with no error, when the text is not a key line at all.
func (p *parser) keyVal() (key, val string, ok bool, err error) {
	p.skip()
	for p.i < len(p.s) && isBlank(p.s[p.i]) {
		p.i++
	}
	// The key: words of text characters other than '=', '[' and ' ',
	// separated by blanks; kept raw (escapes included) and normalized.
	p.skip()
	start := p.i
	end := p.i
	for {
		p.skip()
		c, ok := p.textChar("=[ ")
		if !ok {
			// A run of blanks may separate words.
			j := p.i
			for j < len(p.s) && isBlank(p.s[j]) {
				j++
			}
			if j > p.i && end > start {
				save := p.i
				p.i = j
				p.skip()
				if _, ok := p.textChar("=[ "); ok {
					end = p.i
					continue
				}
				p.i = save
			}
			break
		}
		_ = c
		end = p.i
	}
	if end == start {
		return "", "", false, nil
	}
	key = normalizeKey(p.s[start:end])
	p.i = end
	p.skip()
	for p.i < len(p.s) && isBlank(p.s[p.i]) {
		p.i++
	}
	p.skip()
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		return "", "", false, nil
	}
	p.i++
	p.skip()
	for p.i < len(p.s) && isBlank(p.s[p.i]) {
		p.i++
	}
	p.skip()
	var v []byte
	if p.i < len(p.s) && (p.s[p.i] == '"' || p.s[p.i] == '\'') {
		q := p.s[p.i]
		p.i++
		for {
			c, ok := p.textChar(string(q))
			if !ok {
				break
			}
			v = append(v, c)
		}
		if p.i >= len(p.s) || p.s[p.i] != q {
			return "", "", false, p.fail(fmt.Sprintf("'\"%c\"'", q))
		}
		p.i++
	} else {
		for {
			p.skip()
			c, ok := p.textChar("")
			if !ok {
				break
			}
			v = append(v, c)
		}
	}
	if !p.emptyLines() {
		return "", "", false, p.fail("'<empty_line>'")
	}
	return key, strings.TrimFunc(string(v), isCSpace), true, nil
}
