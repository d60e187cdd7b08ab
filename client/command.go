package client

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"

	"github.com/kelp-ceph/kelp/msgr2/msg"
)

type pendingCmd struct {
	tid  uint64
	cmd  []string
	inbl []byte
	ack  *msg.MonCommandAck
	done chan struct{}
}

type pendingVersion struct {
	handle uint64
	what   string
	reply  *msg.MonGetVersionReply
	done   chan struct{}
}

// commandStrings turns MonCommand's cmd into the JSON strings of an
// MMonCommand: a string or []byte is sent as is (it must be JSON), a
// []string as several parts (Ceph joins them), anything else is
// marshalled with encoding/json.
func commandStrings(cmd any) ([]string, error) {
	switch v := cmd.(type) {
	case string:
		return []string{v}, nil
	case []byte:
		return []string{string(v)}, nil
	case []string:
		return v, nil
	case json.RawMessage:
		return []string{string(v)}, nil
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		return nil, fmt.Errorf("client: command: %w", err)
	}
	return []string{string(b)}, nil
}

// prefixOf finds a command's prefix, for error messages.
func prefixOf(parts []string) string {
	for _, p := range parts {
		var m struct {
			Prefix string `json:"prefix"`
		}
		if json.Unmarshal([]byte(p), &m) == nil && m.Prefix != "" {
			return m.Prefix
		}
	}
	return ""
}

// MonCommand sends a command to the monitors and waits for its answer
// (MonClient::start_mon_command). cmd is the command as JSON (a string,
// []byte or json.RawMessage), its parts ([]string), or a value that
// encoding/json marshals to the command object, e.g.
// map[string]any{"prefix": "osd pool ls", "format": "json"}. inbuf is the
// command's input (ceph -i). out is the command's output and status its
// status string; a negative result is returned as a *CommandError with
// the errno and the monitor's message. If the session fails before the
// answer, the command is sent again on the next session.
func (c *Client) MonCommand(ctx context.Context, cmd any, inbuf []byte) (out []byte, status string, err error) {
	parts, err := commandStrings(cmd)
	if err != nil {
		return nil, "", err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, "", ErrClosed
	}
	c.lastTid++
	p := &pendingCmd{tid: c.lastTid, cmd: parts, inbl: inbuf, done: make(chan struct{})}
	c.cmds[p.tid] = p
	c.sendCommandLocked(p)
	c.mu.Unlock()

	select {
	case <-p.done:
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.cmds, p.tid)
		mon := ""
		if c.sess != nil {
			mon = " (mon." + c.sess.mon.name + ")"
		} else {
			mon = " (no monitor session)"
		}
		c.mu.Unlock()
		return nil, "", fmt.Errorf("client: mon command %q%s: %w", prefixOf(parts), mon, ctx.Err())
	}
	if p.ack == nil {
		return nil, "", ErrClosed
	}
	if p.ack.R < 0 {
		return p.ack.OutBL, p.ack.RS, &CommandError{Errno: syscall.Errno(-p.ack.R), Status: p.ack.RS, Prefix: prefixOf(parts)}
	}
	return p.ack.OutBL, p.ack.RS, nil
}

func (c *Client) sendCommandLocked(p *pendingCmd) {
	if c.sess == nil || c.monmap == nil {
		return // sent when a session opens
	}
	m := &msg.MonCommand{Paxos: msg.NewPaxosHeader(0), FSID: c.monmap.FSID, Cmd: p.cmd, InBL: p.inbl}
	m.Hdr.Tid = p.tid
	c.sess.conn.Send(m)
}

// GetVersion asks the monitors for the newest and oldest epochs of a map
// ("osdmap", "monmap", "mdsmap", "mgrmap", ...), as
// MonClient::get_version does.
func (c *Client) GetVersion(ctx context.Context, what string) (newest, oldest uint64, err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, 0, ErrClosed
	}
	c.lastTid++
	p := &pendingVersion{handle: c.lastTid, what: what, done: make(chan struct{})}
	c.versions[p.handle] = p
	c.sendVersionLocked(p)
	c.mu.Unlock()
	select {
	case <-p.done:
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.versions, p.handle)
		c.mu.Unlock()
		return 0, 0, fmt.Errorf("client: get_version %s: %w", what, ctx.Err())
	}
	if p.reply == nil {
		return 0, 0, ErrClosed
	}
	return p.reply.Latest, p.reply.OldestVersion, nil
}

func (c *Client) sendVersionLocked(p *pendingVersion) {
	if c.sess == nil {
		return
	}
	c.sess.conn.Send(&msg.MonGetVersion{Handle: p.handle, What: p.what})
}
