package mgrmap

// Initial returns the MgrMap a fresh Pacific monitor commits as epoch 1
// (MgrMonitor::create_initial): no manager, the modules named by the
// default mgr_initial_modules ("restful iostat nfs"), and the always-on
// modules Pacific's MgrMonitor compiles in for each release it knows.
func Initial() *MgrMap {
	return &MgrMap{
		Epoch:   1,
		Modules: []string{"iostat", "nfs", "restful"},
		AlwaysOnModules: map[uint32][]string{
			14: {"balancer", "crash", "devicehealth", "orchestrator_cli", "progress", "rbd_support", "status", "volumes"},
			15: {"balancer", "crash", "devicehealth", "orchestrator", "pg_autoscaler", "progress", "rbd_support", "status", "telemetry", "volumes"},
			16: {"balancer", "crash", "devicehealth", "orchestrator", "pg_autoscaler", "progress", "rbd_support", "status", "telemetry", "volumes"},
		},
	}
}
