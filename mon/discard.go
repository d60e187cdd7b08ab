package mon

// Pending changes do not outlive a leader's term. When an election
// starts, every service drops what it had not yet committed
// (PaxosService::restart discards pending), and the clients waiting for
// those changes are told to try again (their sessions close, so they
// resend to the new quorum; a peon resends what it forwarded). A change
// kept instead would be proposed whenever this monitor leads again, long
// after its client gave up or retried elsewhere: an old write applied
// over newer ones.

func (s *authMon) discardPending() { s.pending, s.pendingMaxGID = nil, 0 }

func (s *configMon) discardPending() { s.pending = map[string]*string{} }

func (s *healthMon) discardPending() { s.pending = nil }

func (s *kvMon) discardPending() { s.pending = map[string][]byte{} }

func (s *logMon) discardPending() { s.pending, s.pendingAcks = nil, nil }

func (s *mdsMon) discardPending() { s.pending = nil }

func (s *mgrMon) discardPending() { s.pending = nil }

func (s *monmapMon) discardPending() { s.pending = nil }

func (s *monCmds) discardPending() { s.pendingMetadata = nil }

// discardPending also forgets the map of a proposal in flight: an
// election aborted it, and what commits instead (it, or nothing) arrives
// through refresh.
func (s *osdMon) discardPending() {
	s.pending, s.pendingMap, s.pendingMetadata, s.proposed = nil, nil, nil, nil
}

// discardPending drops every service's uncommitted changes and the
// callbacks waiting for them, at the start of an election.
func (m *Monitor) discardPending() {
	for _, s := range m.services {
		s.discardPending()
	}
	m.wantPropose = false
	if m.inflight != nil || len(m.next) > 0 {
		m.abortInflight()
	}
}
