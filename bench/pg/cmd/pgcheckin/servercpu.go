package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's times
// (100 on Linux's every architecture that matters here).
const clockTicks = 100

// serverCPU samples the CPU time of the server's backends of one database
// during a run, from /proc: the backends there at the start count from
// their time then, those that appear during the run from zero. It looks
// for new backends every 250 ms and reads the known ones' times every
// 100 ms, every 10 ms in the run's last 300 ms and after it, so that the
// backends of pgbench, which exit with it, lose at most 10 ms each. Only
// a server on this machine is seen; elsewhere it reads nothing. It runs in
// a process of its own (pgcheckin -sample-backends), so that its CPU time
// is not in the Engine's.
type serverCPU struct {
	marker     string // " DB " in a backend's process title
	base, last map[int]int64
	stop, done chan struct{}
}

// backendSampler is a serverCPU in a child process of pgcheckin.
type backendSampler struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// startBackendSampler starts pgcheckin -sample-backends db -sample-for d
// and waits for its first reading.
func startBackendSampler(db string, d time.Duration) (*backendSampler, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b := &backendSampler{cmd: exec.Command(exe, "-sample-backends", db, "-sample-for", d.String())}
	b.cmd.Stderr = os.Stderr
	if b.stdin, err = b.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	b.out = bufio.NewReader(stdout)
	if err := b.cmd.Start(); err != nil {
		return nil, err
	}
	if line, err := b.out.ReadString('\n'); err != nil || line != "ready\n" {
		_ = b.cmd.Process.Kill()
		_ = b.cmd.Wait()
		return nil, fmt.Errorf("backend sampler: %q, %v", line, err)
	}
	return b, nil
}

// Stop ends the sampling and returns the backends' CPU time in the run
// and the number of backends that used any.
func (b *backendSampler) Stop() (time.Duration, int, error) {
	_ = b.stdin.Close()
	line, rerr := b.out.ReadString('\n')
	werr := b.cmd.Wait()
	var ticks int64
	var n int
	if _, err := fmt.Sscanf(line, "%d %d", &ticks, &n); err != nil {
		return 0, 0, fmt.Errorf("backend sampler: %q: %w", line, errors.Join(err, rerr, werr))
	}
	return time.Duration(ticks) * time.Second / clockTicks, n, nil
}

// sampleBackends is pgcheckin -sample-backends: it samples the backends of
// db, writes "ready" once it has read them, samples until its standard
// input closes and then writes their clock ticks and how many used any.
func sampleBackends(db string, d time.Duration) error {
	s := startServerCPU(db, d)
	if _, err := os.Stdout.WriteString("ready\n"); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	ticks, n := s.Stop()
	_, err := fmt.Printf("%d %d\n", ticks, n)
	return err
}

// startServerCPU starts sampling the backends of db for a run of d.
func startServerCPU(db string, d time.Duration) *serverCPU {
	s := &serverCPU{marker: " " + db + " ", base: map[int]int64{}, last: map[int]int64{},
		stop: make(chan struct{}), done: make(chan struct{})}
	for _, pid := range s.backends() {
		if t, ok := procTicks(pid); ok {
			s.base[pid], s.last[pid] = t, t
		}
	}
	go s.loop(time.Now().Add(d - 300*time.Millisecond))
	return s
}

func (s *serverCPU) loop(dense time.Time) {
	defer close(s.done)
	lastScan := time.Now()
	for {
		wait := 100 * time.Millisecond
		if time.Now().After(dense) {
			wait = 10 * time.Millisecond
		}
		select {
		case <-s.stop:
			s.read()
			return
		case <-time.After(wait):
		}
		if time.Since(lastScan) >= 250*time.Millisecond {
			lastScan = time.Now()
			for _, pid := range s.backends() {
				if _, ok := s.last[pid]; !ok {
					s.base[pid], s.last[pid] = 0, 0
				}
			}
		}
		s.read()
	}
}

// read reads the known backends' times; one that has exited keeps its
// last.
func (s *serverCPU) read() {
	for pid := range s.last {
		if t, ok := procTicks(pid); ok && t >= s.last[pid] {
			s.last[pid] = t
		}
	}
}

// Stop ends the sampling and returns the backends' clock ticks in the run
// and the number of backends that used any.
func (s *serverCPU) Stop() (int64, int) {
	close(s.stop)
	<-s.done
	var ticks int64
	n := 0
	for pid, t := range s.last {
		if t > s.base[pid] {
			n++
		}
		ticks += t - s.base[pid]
	}
	return ticks, n
}

// backends returns the PIDs of the processes whose title names the
// database ("postgres: 15/main: USER DB HOST(PORT) STATE").
func (s *serverCPU) backends() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(b, []byte("postgres: ")) || !bytes.Contains(b, []byte(s.marker)) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// procTicks returns the user and system time of a process in clock ticks.
func procTicks(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The fields after the command's closing parenthesis: state is the
	// first, utime the 12th and stime the 13th.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	fs := strings.Fields(string(b[i+1:]))
	if len(fs) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(fs[11], 10, 64)
	st, err2 := strconv.ParseInt(fs[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return u + st, true
}
