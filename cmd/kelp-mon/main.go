// Command kelp-mon is the kelp monitor: a Ceph monitor in Go that the
// stock ceph CLI, librados and Ceph daemons use as they use ceph-mon.
//
//	kelp-mon dev --dir DIR [--addr 127.0.0.1:3300]
//	kelp-mon --mkfs -i NAME --monmap FILE --keyring FILE [-c CONF] [--mon-data DIR]
//	kelp-mon -i NAME [-c CONF] [-f|-d] [--public-addr ADDR] [--mon-data DIR]
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "dev" {
		if err := dev(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "kelp-mon dev:", err)
			os.Exit(1)
		}
		return
	}
	if err := daemon(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kelp-mon:", err)
		os.Exit(1)
	}
}

// signalContext ends on SIGINT or SIGTERM, for a clean shutdown.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

// logLevel maps Ceph's debug_mon ("LOG/GATHER", e.g. the default 1/5)
// to a log level: 10 and above logs at debug, as ceph-mon's dout(10)
// lines appear from debug_mon 10.
func logLevel(debugMon string) slog.Level {
	lvl, _, _ := strings.Cut(debugMon, "/")
	if n, err := strconv.Atoi(strings.TrimSpace(lvl)); err == nil && n >= 10 {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
