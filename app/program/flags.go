package program

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// envFlags is a flag set whose defaults come from the environment: each flag has a
// TABULA_* variable, named at the end of its help, that sets it when the flag is not
// given. A variable set to "" counts as unset. Values are checked by parse, which names
// the variable or the flag that is wrong.
//
// It is ours rather than a library's (github.com/peterbourgon/ff reads os.Getenv only,
// gives every flag a variable, -version too, and words its errors its own way): the
// tests hand ParseConfig their own environment.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	bad    []string       // variables whose value is not one their flag takes
	checks []func() error // run by parse, in the order the flags were registered
}

func newEnvFlags(name string, getenv func(string) string, usage io.Writer) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usage)
	return &envFlags{fs: fs, getenv: getenv}
}

// str registers a string flag; its variable, when set, replaces def.
func (f *envFlags) str(p *string, name, env, def, help string) {
	if v := f.getenv(env); v != "" {
		def = v
	}
	f.fs.StringVar(p, name, def, help+" ($"+env+")")
}

// num registers a count that must be positive in the variable. (Flags that must be
// positive too are checked where the count is used.)
func (f *envFlags) num(p *int, name, env string, def int, help string) {
	if v := f.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			f.bad = append(f.bad, fmt.Sprintf("$%s must be a positive integer, not %q", env, v))
		} else {
			def = n
		}
	}
	f.fs.IntVar(p, name, def, help+" ($"+env+")")
}

// perMinute registers a rate a minute: 0 (no limit) or more, by flag or variable.
func (f *envFlags) perMinute(p *int, name, env string, def int, help string) {
	if v := f.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.bad = append(f.bad, fmt.Sprintf("$%s must be 0 or a positive integer, not %q", env, v))
		} else {
			def = n
		}
	}
	f.fs.IntVar(p, name, def, help+" ($"+env+")")
	f.checks = append(f.checks, func() error {
		if *p < 0 {
			return fmt.Errorf("-%s must be 0 (no limit) or more", name)
		}
		return nil
	})
}

// onOff registers a switch: on or off (also true or false, 1 or 0).
func (f *envFlags) onOff(p *bool, name, env string, def bool, help string) {
	s := "off"
	if def {
		s = "on"
	}
	f.str(&s, name, env, s, help)
	f.checks = append(f.checks, func() error {
		switch s {
		case "on", "true", "1":
			*p = true
		case "off", "false", "0":
			*p = false
		default:
			return fmt.Errorf("-%s must be on or off, not %q", name, s)
		}
		return nil
	})
}

// parse reads args, then reports the variables that did not parse, or else the first
// flag whose value cannot work.
func (f *envFlags) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	if len(f.bad) > 0 {
		return errors.New(strings.Join(f.bad, "; "))
	}
	for _, check := range f.checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}
