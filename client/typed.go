package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kelp-ceph/kelp/maps/monmap"
)

// The typed helpers run a read command with format json and decode the
// fields most programs want; every struct keeps the whole answer in Raw
// for the rest.

// HealthCheck is one entry of health checks (health_check_t::dump).
type HealthCheck struct {
	Severity string `json:"severity"`
	Summary  struct {
		Message string `json:"message"`
		Count   int    `json:"count"`
	} `json:"summary"`
	Detail []struct {
		Message string `json:"message"`
	} `json:"detail"`
	Muted bool `json:"muted"`
}

// Health is the answer of `health` (HealthMonitor / health_check_map_t).
type Health struct {
	Status string                 `json:"status"` // HEALTH_OK, HEALTH_WARN, HEALTH_ERR
	Checks map[string]HealthCheck `json:"checks"`
	Raw    json.RawMessage        `json:"-"`
}

// Status is the answer of `status` (Monitor::get_cluster_status).
type Status struct {
	FSID          string   `json:"fsid"`
	Health        Health   `json:"health"`
	ElectionEpoch int      `json:"election_epoch"`
	Quorum        []int    `json:"quorum"`
	QuorumNames   []string `json:"quorum_names"`
	MonMap        struct {
		Epoch   int `json:"epoch"`
		NumMons int `json:"num_mons"`
	} `json:"monmap"`
	OSDMap struct {
		Epoch          int `json:"epoch"`
		NumOSDs        int `json:"num_osds"`
		NumUpOSDs      int `json:"num_up_osds"`
		NumInOSDs      int `json:"num_in_osds"`
		NumRemappedPGs int `json:"num_remapped_pgs"`
	} `json:"osdmap"`
	PGMap struct {
		NumPGs     int   `json:"num_pgs"`
		NumPools   int   `json:"num_pools"`
		NumObjects int64 `json:"num_objects"`
		BytesUsed  int64 `json:"bytes_used"`
		BytesAvail int64 `json:"bytes_avail"`
		BytesTotal int64 `json:"bytes_total"`
	} `json:"pgmap"`
	MgrMap struct {
		Available   bool `json:"available"`
		NumStandbys int  `json:"num_standbys"`
	} `json:"mgrmap"`
	Raw json.RawMessage `json:"-"`
}

// Pool is one pool of `osd pool ls detail` and `osd dump`
// (pg_pool_t::dump).
type Pool struct {
	ID             int64                        `json:"pool"`
	Name           string                       `json:"pool_name"`
	Type           int                          `json:"type"` // 1 replicated, 3 erasure
	Size           int                          `json:"size"`
	MinSize        int                          `json:"min_size"`
	CrushRule      int                          `json:"crush_rule"`
	PGNum          int                          `json:"pg_num"`
	PGPNum         int                          `json:"pg_placement_num"`
	AutoscaleMode  string                       `json:"pg_autoscale_mode"`
	ErasureProfile string                       `json:"erasure_code_profile"`
	FlagsNames     string                       `json:"flags_names"`
	Applications   map[string]map[string]string `json:"application_metadata"`
}

// OSDInfo is one OSD of `osd dump`.
type OSDInfo struct {
	OSD    int      `json:"osd"`
	UUID   string   `json:"uuid"`
	Up     int      `json:"up"`
	In     int      `json:"in"`
	Weight float64  `json:"weight"`
	State  []string `json:"state"`
}

// OSDDump is the answer of `osd dump` (OSDMap::dump).
type OSDDump struct {
	Epoch                  int             `json:"epoch"`
	FSID                   string          `json:"fsid"`
	FlagsSet               []string        `json:"flags_set"`
	MaxOSD                 int             `json:"max_osd"`
	RequireMinCompatClient string          `json:"require_min_compat_client"`
	RequireOSDRelease      string          `json:"require_osd_release"`
	Pools                  []Pool          `json:"pools"`
	OSDs                   []OSDInfo       `json:"osds"`
	Raw                    json.RawMessage `json:"-"`
}

// jsonCommand runs a command with format json and decodes its output.
func (c *Client) jsonCommand(ctx context.Context, prefix string, v any) ([]byte, error) {
	out, _, err := c.MonCommand(ctx, map[string]any{"prefix": prefix, "format": "json"}, nil)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return nil, fmt.Errorf("client: %s: decoding the answer: %w", prefix, err)
	}
	return out, nil
}

// Status runs `status`.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	raw, err := c.jsonCommand(ctx, "status", &s)
	if err != nil {
		return nil, err
	}
	s.Raw = raw
	return &s, nil
}

// Health runs `health`.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	raw, err := c.jsonCommand(ctx, "health", &h)
	if err != nil {
		return nil, err
	}
	h.Raw = raw
	return &h, nil
}

// MonDump runs `mon dump`; the answer has the shape of monmap.JSON.
func (c *Client) MonDump(ctx context.Context) (*monmap.JSON, error) {
	var m monmap.JSON
	if _, err := c.jsonCommand(ctx, "mon dump", &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// OSDDump runs `osd dump`.
func (c *Client) OSDDump(ctx context.Context) (*OSDDump, error) {
	var d OSDDump
	raw, err := c.jsonCommand(ctx, "osd dump", &d)
	if err != nil {
		return nil, err
	}
	d.Raw = raw
	return &d, nil
}

// PoolList runs `osd pool ls detail`.
func (c *Client) PoolList(ctx context.Context) ([]Pool, error) {
	var p []Pool
	out, _, err := c.MonCommand(ctx, map[string]any{"prefix": "osd pool ls", "detail": "detail", "format": "json"}, nil)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("client: osd pool ls detail: decoding the answer: %w", err)
	}
	return p, nil
}
