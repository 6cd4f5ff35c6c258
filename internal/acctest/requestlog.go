package acctest

import (
	"fmt"
	"log"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// RequestLog collects the emulator's log, one line per answered request
// ("ADDR METHOD ACTION STATUS BYTESB DURATION", the action being the method called, or the name of
// a fault or a refusal), with the time each line was written. Give Logger to emulator.Config.
type RequestLog struct {
	mu    sync.Mutex
	lines []loggedRequest
}

type loggedRequest struct {
	end    time.Time
	text   string
	action string
	took   time.Duration
}

// Logger is a logger that writes into the log, for emulator.Config.Logger.
func (l *RequestLog) Logger() *log.Logger { return log.New(l, "", 0) }

func (l *RequestLog) Write(p []byte) (int, error) {
	line := loggedRequest{end: time.Now(), text: strings.TrimSpace(string(p))}
	if f := strings.Fields(line.text); len(f) >= 6 {
		line.action = f[2]
		line.took, _ = time.ParseDuration(f[5])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	return len(p), nil
}

// Count returns how many answered requests mention s, e.g. " fault-500-empty ".
func (l *RequestLog) Count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line.text, s) {
			n++
		}
	}
	return n
}

// Reset forgets what was logged so far.
func (l *RequestLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = nil
}

// Stats returns the answers by action and the most requests the server had in flight at once.
func (l *RequestLog) Stats() (map[string]int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	byAction := map[string]int{}
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, ln := range l.lines {
		byAction[ln.action]++
		edges = append(edges, edge{ln.end.Add(-ln.took), +1}, edge{ln.end, -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	peak, cur := 0, 0
	for _, e := range edges {
		cur += e.delta
		peak = max(peak, cur)
	}
	return byAction, peak
}

// ExpectAnswered checks how many requests mentioning method the emulator answered: want says
// whether n is right, what says what it wants, for the message.
func (l *RequestLog) ExpectAnswered(method string, want func(n int) bool, what string) statecheck.StateCheck {
	return ServerCheck(func() error {
		if n := l.Count(method); !want(n) {
			return fmt.Errorf("the emulator answered %d %s requests, want %s", n, method, what)
		}
		return nil
	})
}
