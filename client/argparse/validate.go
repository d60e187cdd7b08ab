package argparse

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// descState is the per-validation state ceph_argparse keeps in a
// deep-copied argdesc: how many values were seen and how many are wanted
// (n=N arguments keep wanting one more).
type descState struct {
	d       *Desc
	n       int
	numseen int
}

func newStates(sig []Desc) []*descState {
	st := make([]*descState, len(sig))
	for i := range sig {
		n := sig[i].N
		if sig[i].Many {
			n = 1
		}
		st[i] = &descState{d: &sig[i], n: n}
	}
	return st
}

// validateOne is validate_one: a word for one descriptor; n=N arguments
// (other than positional strings) take comma-separated lists.
func validateOne(word string, st *descState, isKwarg, partial bool) ([]any, *ArgError) {
	allowCSV := isKwarg || st.d.Type != "CephString"
	var vals []any
	if st.d.Many && allowCSV {
		for _, part := range strings.Split(word, ",") {
			v, err := st.d.t.valid(part, partial)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
	} else {
		v, err := st.d.t.valid(word, partial)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	st.numseen++
	if st.d.Many {
		st.n = st.numseen + 1
	}
	return vals, nil
}

// matchNum is matchnum: how many required descriptors of sig the words
// satisfy, for ranking candidate commands. With partial, the last word
// may be the beginning of a literal or choice.
func matchNum(args []string, sig []Desc, partial bool) int {
	words := slices.Clone(args)
	matched := 0
	for _, st := range newStates(sig) {
		for st.numseen < st.n {
			if len(words) == 0 {
				return matched
			}
			word := words[0]
			words = words[1:]
			if _, err := validateOne(word, st, false, partial && len(words) == 0); err != nil {
				if !st.d.Req {
					words = append([]string{word}, words...)
					break
				}
				return matched
			}
		}
		if st.d.Req {
			matched++
		}
	}
	return matched
}

func storeArg(st *descState, vals []any, d *Args) {
	name := st.d.Name
	switch {
	case st.d.Many:
		old, _ := d.Get(name)
		l, _ := old.([]any)
		d.Set(name, append(slices.Clone(l), vals...))
	case st.d.Type == "CephPrefix":
		if old, ok := d.Get(name); ok {
			d.Set(name, old.(string)+" "+vals[len(vals)-1].(string))
		} else {
			d.Set(name, vals[len(vals)-1])
		}
	default:
		d.Set(name, vals[len(vals)-1])
	}
}

var (
	kwargEquals = regexp.MustCompile(`^--([^=]+)=(.+)`)
	kwargSpace  = regexp.MustCompile(`^--([^=]+)`)
)

// confirmFlags may stand as positional values although they start with
// "--": confirmation flags that were CephString/CephChoices before
// Nautilus.
var confirmFlags = map[string]bool{
	"--yes-i-really-mean-it": true, "--yes-i-really-really-mean-it": true,
	"--yes-i-really-really-mean-it-not-faking": true, "--force": true,
}

// Validate is ceph_argparse.validate: it matches args against one
// signature, positionally and as --name=value / --name value / --flag,
// and returns the arguments. notes are the lines the CLI prints to
// stderr on the way (an optional argument's rejection when the words end
// up unused).
func Validate(args []string, sig []Desc, flags int, partial bool) (d *Args, notes []string, err *ArgError) {
	myargs := slices.Clone(args)
	states := newStates(sig)
	reqsiglen := 0
	byName := map[string]*descState{}
	for _, st := range states {
		if st.d.Req {
			reqsiglen++
		}
		if st.d.Type != "CephPrefix" {
			byName[st.d.Name] = st
		}
	}
	d = &Args{}
	matched := 0
	var saveWord string
	var saveErr *ArgError
	injectargs := len(myargs) > 0 && myargs[0] == "injectargs"

	for _, st := range states {
		st.numseen = 0
		for st.numseen < st.n {
			has := len(myargs) > 0
			var myarg string
			if has {
				myarg, myargs = myargs[0], myargs[1:]
			} else {
				if !st.d.Req {
					break
				}
				if _, ok := d.Get(st.d.Name); ok {
					break
				}
			}
			if has && myarg != "" {
				var kw *descState
				var kv string
				if m := kwargEquals.FindStringSubmatch(myarg); m != nil {
					kw = byName[strings.ReplaceAll(m[1], "-", "_")]
					kv = m[2]
				} else if m := kwargSpace.FindStringSubmatch(myarg); m != nil {
					kw = byName[strings.ReplaceAll(m[1], "-", "_")]
					if kw != nil {
						switch {
						case kw.d.Type == "CephBool":
							kv = "true"
						case len(myargs) > 0:
							kv, myargs = myargs[0], myargs[1:]
						default:
							kw = nil
						}
					}
				}
				if kw != nil {
					vals, err := validateOne(kv, kw, true, false)
					if err != nil {
						return nil, notes, err
					}
					matched++
					storeArg(kw, vals, d)
					continue
				}
				if strings.HasPrefix(myarg, "--") && !(st.d.Type == "CephChoices" || confirmFlags[myarg] || injectargs) {
					return nil, notes, argErr(KindValid, "Unexpected argument '%s'", myarg)
				}
			}
			if !has && st.d.Req {
				switch {
				case st.d.Many && st.numseen < 1:
					if partial {
						return d, notes, nil
					}
					return nil, notes, argErr(KindNumber, "saw %d of %s, expected at least 1", st.numseen, st.d)
				case !st.d.Many && st.numseen < st.n:
					if partial {
						return d, notes, nil
					}
					if st.numseen == 0 && st.n == 1 {
						return nil, notes, argErr(KindMissing, "missing required parameter %s", st.d)
					}
					return nil, notes, argErr(KindNumber, "saw %d of %s, expected %d", st.numseen, st.d, st.n)
				}
				break
			}
			vals, err := validateOne(myarg, st, false, false)
			if err != nil {
				if !st.d.Req {
					saveWord, saveErr = myarg, err
					myargs = append([]string{myarg}, myargs...)
					break
				}
				if partial {
					return d, notes, nil
				}
				return nil, notes, err
			}
			matched++
			storeArg(st, vals, d)
			saveErr = nil
		}
	}
	if matched < reqsiglen {
		return nil, notes, argErr(KindTooFew, "not enough arguments given")
	}
	if len(myargs) > 0 && !partial {
		if saveErr != nil {
			notes = append(notes, fmt.Sprintf("%s not valid:  %s", saveWord, saveErr.Msg))
		}
		return nil, notes, argErr(KindError, "unused arguments: %s", pyStrList(myargs))
	}
	if flags&FlagMgr != 0 {
		d.Set("target", []any{"mon-mgr", ""})
	}
	if flags&FlagPoll != 0 {
		d.Set("poll", true)
	}
	return d, notes, nil
}

// MatchError is validate_command's failure: the lines the ceph CLI
// prints to stderr before "Error EINVAL: invalid command".
type MatchError struct {
	Lines []string
	// Cmd is the command the words were taken for, if any.
	Cmd *Command
}

func (e *MatchError) Error() string { return strings.Join(e.Lines, "\n") }

// ValidateCommand is validate_command: it ranks the commands by how many
// words match, tries the best ones (fewest required arguments first) and
// returns the first that validates.
func ValidateCommand(cmds []Command, args []string) (*Args, *Command, error) {
	best2 := 0 // twice the best score: a full match adds one half
	var best []*Command
	for i := range cmds {
		c := &cmds[i]
		if c.Flags&FlagObsolete != 0 {
			continue
		}
		m := matchNum(args, c.Sig, true)
		score := 2 * m
		if score >= best2&^1 && m == matchNum(args, c.Sig, false) {
			score++
		}
		if score < best2 {
			continue
		}
		if score > best2 {
			best2 = score
			best = best[:0]
		}
		best = append(best, c)
	}
	grade := func(c *Command) int {
		n := 0
		for _, d := range c.Sig {
			if d.Req {
				n++
			}
		}
		return n
	}
	sorted := slices.Clone(best)
	slices.SortStableFunc(sorted, func(a, b *Command) int { return grade(a) - grade(b) })

	var notes []string
	var ex *ArgError
	var found *Command
	for _, c := range sorted {
		d, n, err := Validate(args, c.Sig, c.Flags, false)
		notes = append(notes, n...)
		if err == nil {
			return d, c, nil
		}
		stop := true
		switch err.Kind {
		case KindPrefix, KindTooFew:
			stop = false
		case KindMissing:
			ex = err
			if len(best) == 1 {
				found = c
			}
		default:
			ex = err
			found = c
		}
		if stop {
			break
		}
	}
	lines := notes
	if found != nil {
		lines = append(lines, "Invalid command: "+ex.Msg, ConciseSig(found.Sig)+" :  "+found.Help)
		return nil, found, &MatchError{Lines: lines, Cmd: found}
	}
	var shown []*Command
	for _, c := range best {
		if c.Flags&(FlagDeprecated|FlagHidden) == 0 {
			shown = append(shown, c)
		}
	}
	if len(shown) > 10 {
		shown = shown[:10]
	}
	lines = append(lines, fmt.Sprintf("no valid command found; %d closest matches:", len(shown)))
	for _, c := range shown {
		lines = append(lines, ConciseSig(c.Sig))
	}
	return nil, nil, &MatchError{Lines: lines}
}
