package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// confSection is one [section] of an ini file: its lines, last value per
// key winning, in first-seen key order.
type confSection struct {
	name string
	keys []string
	vals map[string]string
}

func (s *confSection) set(k, v string) {
	if _, ok := s.vals[k]; !ok {
		s.keys = append(s.keys, k)
	}
	s.vals[k] = v
}

// parseConf parses the ini dialect of Ceph's ConfFile (src/common/ConfUtils.cc),
// which keyrings are written in. It follows that grammar's details because
// ceph-authtool accepts and refuses files by it:
//   - lines end with \n, \r\n or \r, and every line, the last included, must
//     end with one;
//   - '#' and ';' start comments, also after a value;
//   - a backslash escapes the next character, and a backslash at the end of
//     a line joins the next line (except inside quotes);
//   - a value may be "double" or 'single' quoted; quoted text cannot hold an
//     unescaped comment character, and nothing but a comment may follow the
//     closing quote;
//   - key names have their whitespace runs replaced by '_', values are
//     trimmed;
//   - a section that appears twice is merged, a repeated key keeps its last
//     value.
func parseConf(text string) ([]*confSection, error) {
	if !utf8.ValidString(text) {
		return nil, errors.New("auth: keyring: invalid UTF-8")
	}
	p := &confParser{s: text}
	var out []*confSection
	byName := map[string]*confSection{}
	p.skip()
	for p.eol() {
		p.skip()
	}
	for {
		p.skip()
		if p.i >= len(p.s) {
			return out, nil
		}
		if p.peek() != '[' {
			return nil, p.errorf("expected section name")
		}
		name, lines, err := p.section()
		if err != nil {
			return nil, err
		}
		sec := byName[name]
		if sec == nil {
			sec = &confSection{name: name, vals: map[string]string{}}
			byName[name] = sec
			out = append(out, sec)
		}
		for _, kv := range lines {
			sec.set(kv[0], kv[1])
		}
	}
}

type confParser struct {
	s string
	i int
}

func (p *confParser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.s[:p.i], "\n")
	return fmt.Errorf("auth: keyring: line %d: %s", line, fmt.Sprintf(format, args...))
}

func (p *confParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// eolLen is the length of a line end at i, or 0.
func (p *confParser) eolLen(i int) int {
	if i >= len(p.s) {
		return 0
	}
	switch p.s[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(p.s) && p.s[i+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

func (p *confParser) eol() bool {
	if n := p.eolLen(p.i); n > 0 {
		p.i += n
		return true
	}
	return false
}

// skip is the grammar's skipper: line continuations and comments (with the
// blanks before them). It never consumes a line end.
func (p *confParser) skip() {
	for {
		if p.peek() == '\\' && p.eolLen(p.i+1) > 0 {
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

// textChar reads one text character: an escaped character, or anything but
// a comment start or line end. ok is false (and nothing is consumed) when
// there is none.
func (p *confParser) textChar() (c byte, width int, ok bool) {
	if p.i >= len(p.s) {
		return 0, 0, false
	}
	c = p.s[p.i]
	if c == '\\' && p.i+1 < len(p.s) && p.eolLen(p.i+1) == 0 {
		return p.s[p.i+1], 2, true
	}
	if c == '#' || c == ';' || p.eolLen(p.i) > 0 {
		return 0, 0, false
	}
	return c, 1, true
}

// emptyLines reads one or more lines holding only blanks or a comment.
func (p *confParser) emptyLines() error {
	n := 0
	for {
		save := p.i
		p.skip()
		for isBlank(p.peek()) {
			p.i++
		}
		if !p.eol() {
			p.i = save
			break
		}
		n++
	}
	if n == 0 {
		return p.errorf("expected end of line")
	}
	return nil
}

func (p *confParser) section() (string, [][2]string, error) {
	p.i++ // '['
	var name strings.Builder
	for {
		p.skip()
		c, w, ok := p.textChar()
		if !ok || c == ']' && w == 1 {
			break
		}
		name.WriteByte(c)
		p.i += w
	}
	if name.Len() == 0 {
		return "", nil, p.errorf("empty section name")
	}
	if p.peek() != ']' {
		return "", nil, p.errorf("expected ']'")
	}
	p.i++
	if err := p.emptyLines(); err != nil {
		return "", nil, err
	}
	var lines [][2]string
	for {
		save := p.i
		p.skip()
		if p.peek() == '[' {
			p.i = save
			break
		}
		kv, matched, err := p.keyVal()
		if err != nil {
			return "", nil, err
		}
		if !matched {
			p.i = save
			break
		}
		lines = append(lines, kv)
	}
	for {
		p.skip()
		if !p.eol() {
			break
		}
	}
	return name.String(), lines, nil
}

// keyVal reads "key = value" and its line end. matched is false when the
// input does not start a key; an error is returned once '=' was seen and
// the rest is malformed.
func (p *confParser) keyVal() (kv [2]string, matched bool, err error) {
	for isBlank(p.peek()) {
		p.i++
	}
	start := p.i
	end := -1
	for {
		n := 0
		for {
			p.skip()
			c, w, ok := p.textChar()
			if !ok || (w == 1 && (c == '=' || c == '[' || c == ' ')) {
				break
			}
			p.i += w
			n++
		}
		if n == 0 {
			break
		}
		end = p.i
		for isBlank(p.peek()) {
			p.i++
		}
	}
	if end < 0 {
		return kv, false, nil
	}
	key := normalizeKey(p.s[start:end])
	p.skip()
	for isBlank(p.peek()) {
		p.i++
	}
	p.skip()
	if p.peek() != '=' {
		return kv, false, nil
	}
	p.i++
	for isBlank(p.peek()) {
		p.i++
	}
	p.skip()
	val, err := p.value()
	if err != nil {
		return kv, true, err
	}
	if err := p.emptyLines(); err != nil {
		return kv, true, err
	}
	return [2]string{key, strings.TrimSpace(val)}, true, nil
}

func (p *confParser) value() (string, error) {
	var b strings.Builder
	if q := p.peek(); q == '"' || q == '\'' {
		p.i++
		for {
			c, w, ok := p.textChar()
			if !ok || (w == 1 && c == q) {
				break
			}
			b.WriteByte(c)
			p.i += w
		}
		if p.peek() != q {
			return "", p.errorf("unterminated quoted value")
		}
		p.i++
		return b.String(), nil
	}
	for {
		p.skip()
		c, w, ok := p.textChar()
		if !ok {
			return b.String(), nil
		}
		b.WriteByte(c)
		p.i += w
	}
}

// normalizeKey trims a key and turns its whitespace runs into '_', as
// ConfFile::normalize_key_name does.
func normalizeKey(k string) string {
	return strings.Join(strings.Fields(k), "_")
}
