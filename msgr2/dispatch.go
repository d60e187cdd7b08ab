package msgr2

// Dispatcher receives the messages of every connection of a Messenger.
// Messages of one connection are dispatched in order, one at a time, on
// a goroutine the connection runs while it has messages queued
// (AsyncConnection's in-order delivery); different connections dispatch
// concurrently.
type Dispatcher interface {
	Dispatch(c *Conn, m Message)
}

// ConnObserver is optionally implemented by a Dispatcher to learn of
// connections being accepted and reset (ms_handle_accept,
// ms_handle_reset, ms_handle_remote_reset). The calls come on the
// connection's dispatch goroutine, in order with its messages: accept
// before the first message, reset after the last one received.
type ConnObserver interface {
	HandleAccept(c *Conn)
	HandleReset(c *Conn)
}

// DispatcherFunc adapts a function to Dispatcher.
type DispatcherFunc func(c *Conn, m Message)

func (f DispatcherFunc) Dispatch(c *Conn, m Message) { f(c, m) }
