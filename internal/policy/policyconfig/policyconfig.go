// Package policyconfig declares how internal/policy recommends a
// segmentation policy: the segment granularities, the configuration and
// its defaults. An experiment's policy: block embeds Config, so the
// experiment parser links none of the policy's learning (k-means).
package policyconfig

import (
	"fmt"
	"slices"
	"strings"
)

// Granularities of a segment (Config.Segments, Policy.SegmentsBy).
const (
	// SegmentsDepartmentDevice makes one segment of each (department,
	// device type): IDs such as "accounting/workstation".
	SegmentsDepartmentDevice = "department_device"
	// SegmentsDepartment makes one segment of each department: "accounting".
	SegmentsDepartment = "department"
	// SegmentsDeviceType makes one segment of each device type:
	// "workstation".
	SegmentsDeviceType = "device_type"
)

// Granularities lists the segment granularities.
var Granularities = []string{SegmentsDepartmentDevice, SegmentsDepartment, SegmentsDeviceType}

// Config says how policy.Recommend learns a policy. The zero value is not valid;
// start from DefaultConfig.
type Config struct {
	// Segments is the granularity of a segment: SegmentsDepartmentDevice,
	// SegmentsDepartment or SegmentsDeviceType. "" means
	// SegmentsDepartmentDevice; the policy records the granularity it used.
	Segments string `json:"segments"`
	// MinFlows is the number of normal training flows a (source segment,
	// destination segment, protocol) needs before the protocol is allowed
	// from the one to the other; >= 1.
	MinFlows int `json:"min_flows"`
	// PortMargin is added to the most ports_contacted seen in an allow
	// rule's flows to give the rule's port bound; >= 0.
	PortMargin int64 `json:"port_margin"`
	// Clusters is the number of behavioural clusters (k-means on the normal
	// training flows; fewer when there are fewer flows); 0 means no
	// behavioural rule.
	Clusters int `json:"clusters"`
	// ClusterQuantile, in (0, 1], is the quantile of a cluster's members'
	// distances to its centre that becomes the cluster's radius.
	ClusterQuantile float64 `json:"cluster_quantile"`
	// IsolateAbove, in [0, 1], is the detector probability above which a
	// flow's source is isolated: the notebook's HIGH risk (p > 0.8).
	IsolateAbove float64 `json:"isolate_above"`
	// Workers is the number of goroutines k-means uses; <= 0 means 1. The
	// policy does not depend on it, and the document does not record it.
	Workers int `json:"-"`
}

// DefaultConfig returns the default configuration: department × device
// type segments, every protocol seen at least once allowed, no port
// margin, 6 behavioural clusters with radius the 0.99 quantile, and
// isolation above the notebook's HIGH threshold, 0.8.
func DefaultConfig() Config {
	return Config{
		Segments:        SegmentsDepartmentDevice,
		MinFlows:        1,
		PortMargin:      0,
		Clusters:        6,
		ClusterQuantile: 0.99,
		IsolateAbove:    0.8,
	}
}

// Validate returns an error naming the first invalid field.
func (c Config) Validate() error {
	if c.Segments != "" && !slices.Contains(Granularities, c.Segments) {
		return fmt.Errorf("policy: config: Segments %q unknown (want one of %s)", c.Segments, strings.Join(Granularities, ", "))
	}
	if c.MinFlows < 1 {
		return fmt.Errorf("policy: config: MinFlows %d < 1", c.MinFlows)
	}
	if c.PortMargin < 0 {
		return fmt.Errorf("policy: config: PortMargin %d < 0", c.PortMargin)
	}
	if c.Clusters < 0 {
		return fmt.Errorf("policy: config: Clusters %d < 0", c.Clusters)
	}
	if !(c.ClusterQuantile > 0 && c.ClusterQuantile <= 1) {
		return fmt.Errorf("policy: config: ClusterQuantile %v outside (0, 1]", c.ClusterQuantile)
	}
	if !(c.IsolateAbove >= 0 && c.IsolateAbove <= 1) {
		return fmt.Errorf("policy: config: IsolateAbove %v outside [0, 1]", c.IsolateAbove)
	}
	return nil
}

// Granularity returns c.Segments with "" resolved.
func (c Config) Granularity() string {
	if c.Segments == "" {
		return SegmentsDepartmentDevice
	}
	return c.Segments
}
