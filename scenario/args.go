package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
)

// args reads a directive's arguments for one command. The first problem
// is kept in err and returned by done, with any argument the command did
// not read (a misspelt key), so a command reads its arguments and checks
// done once.
type args struct {
	w    *world
	cmd  string
	list []Arg
	seen map[string]bool
	err  error
}

func newArgs(w *world, cmd string, list []Arg) *args {
	return &args{w: w, cmd: cmd, list: list, seen: map[string]bool{}}
}

func (a *args) fail(format string, v ...any) {
	if a.err == nil {
		a.err = fmt.Errorf(format, v...)
	}
}

// lookup returns the argument key and whether it is present.
func (a *args) lookup(key string) (Arg, bool) {
	a.seen[key] = true
	for _, x := range a.list {
		if x.Key == key {
			return x, true
		}
	}
	return Arg{}, false
}

// str returns the single value of key, or def when it is absent.
func (a *args) str(key, def string) string {
	x, ok := a.lookup(key)
	if !ok {
		return def
	}
	if len(x.Vals) != 1 {
		a.fail("%s: want %s=<value>", key, key)
		return def
	}
	return x.Vals[0]
}

// req returns the single value of key and fails when it is absent or
// empty.
func (a *args) req(key string) string {
	v := a.str(key, "")
	if v == "" {
		a.fail("%s: missing %s=<value>", a.cmd, key)
	}
	return v
}

// has reports whether key is present (a bare key is a flag).
func (a *args) has(key string) bool {
	x, ok := a.lookup(key)
	if ok && len(x.Vals) > 0 {
		switch x.Vals[0] {
		case "true", "yes", "on":
			return true
		case "false", "no", "off":
			return false
		}
		a.fail("%s: want %s alone, or %s=true or false", key, key, key)
	}
	return ok
}

// list returns the values of key: key=(a, b) or key=a; nil when absent.
func (a *args) vals(key string) []string {
	x, ok := a.lookup(key)
	if !ok {
		return nil
	}
	var out []string
	for _, v := range x.Vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parsed returns key parsed by parse, or def when it is absent; a value
// that does not parse is a mistake.
func parsed[T any](a *args, key string, def T, parse func(string) (T, error)) T {
	v := a.str(key, "")
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		a.fail("%s: %v", key, err)
		return def
	}
	return x
}

func (a *args) int(key string, def int) int {
	return parsed(a, key, def, func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	})
}

// duration returns key as a Go duration, where "d" is also allowed for
// 24 hours ("2d", "1d12h").
func (a *args) duration(key string, def time.Duration) time.Duration {
	return parsed(a, key, def, parseDuration)
}

func parseDuration(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.Index(s, "d"); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (90m, 4h, 2d, 1d12h)", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (90m, 4h, 2d, 1d12h)", s)
	}
	return days + d, nil
}

// amount returns key as an amount in the network's currency, the zero
// Money when absent.
func (a *args) amount(key string) money.Money {
	return parsed(a, key, money.Money{}, func(v string) (money.Money, error) { return money.New(v, a.w.currency()) })
}

// date returns key as a civil date (2024-06-10), the zero Date when
// absent.
func (a *args) date(key string) calendar.Date {
	return parsed(a, key, calendar.Date{}, func(v string) (calendar.Date, error) {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return d, fmt.Errorf("%q is not a date (2024-06-10)", v)
		}
		return d, nil
	})
}

// instant returns key as an instant: "now", local wall time in the
// network's zone (2024-06-10T09:00), or RFC 3339 with an offset. It
// returns the zero Time when absent.
func (a *args) instant(key string) time.Time {
	return parsed(a, key, time.Time{}, a.w.parseTime)
}

// done returns the first problem with the arguments, or names one the
// command does not take.
func (a *args) done() error {
	if a.err != nil {
		return a.err
	}
	for _, x := range a.list {
		if !a.seen[x.Key] {
			known := make([]string, 0, len(a.seen))
			for k := range a.seen {
				known = append(known, k)
			}
			slices.Sort(known)
			return fmt.Errorf("%s does not take %q (it takes %s)", a.cmd, x.Key, strings.Join(known, ", "))
		}
	}
	return nil
}
