package mon

// command routes the osd commands (OSDMonitor::preprocess_command for
// reads, prepare_command for writes).
func (s *osdMon) command(req *request) bool {
	return false
}
