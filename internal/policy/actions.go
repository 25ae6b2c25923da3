package policy

import "fmt"

// Risk levels, as the notebook's score_network_flow names them (and
// internal/scoring returns them).
const (
	RiskHigh   = "HIGH"
	RiskMedium = "MEDIUM"
	RiskLow    = "LOW"
)

// Action kinds.
const (
	ActionIsolateSource  = "isolate_source"
	ActionBlockOutbound  = "block_outbound"
	ActionMonitorSegment = "monitor_segment"
	ActionAlert          = "alert"
	ActionForensic       = "forensic"
	ActionMonitorSource  = "monitor_source"
)

// TargetSecurityTeam is the target of an ActionAlert.
const TargetSecurityTeam = "security_team"

// Action is one step of the response to a flow of some risk level.
type Action struct {
	Step int `json:"step"` // 1, 2, ... in the order to take them
	// Kind is one of the Action* constants.
	Kind string `json:"kind"`
	// Target names what the action concerns: the source device as
	// "department/device_type", its department, or TargetSecurityTeam.
	Target string `json:"target"`
	Text   string `json:"text"` // for people
}

// Actions returns the response the notebook recommends for a flow of the
// given risk level from a device of the given department and type:
//
//	HIGH    1 isolate_source, 2 block_outbound, 3 monitor_segment (the
//	        source's department), 4 alert, 5 forensic: the five
//	        recommendations of the notebook's incident simulation
//	MEDIUM  1 monitor_source (the notebook's ENHANCED_MONITORING)
//	LOW     none (nil; the notebook's CONTINUE_MONITORING changes nothing)
//
// It panics if risk is not RiskHigh, RiskMedium or RiskLow.
func Actions(risk string, srcDepartment, srcDeviceType string) []Action {
	source := srcDepartment + "/" + srcDeviceType
	switch risk {
	case RiskHigh:
		return []Action{
			{1, ActionIsolateSource, source, fmt.Sprintf("Isolate source device (%s %s)", srcDepartment, srcDeviceType)},
			{2, ActionBlockOutbound, source, "Block all outbound connections from the source"},
			{3, ActionMonitorSegment, srcDepartment, fmt.Sprintf("Monitor all devices in the %s segment", srcDepartment)},
			{4, ActionAlert, TargetSecurityTeam, "Alert the security team for incident response"},
			{5, ActionForensic, source, "Preserve logs and network flows"},
		}
	case RiskMedium:
		return []Action{
			{1, ActionMonitorSource, source, fmt.Sprintf("Enhanced monitoring of source device (%s %s)", srcDepartment, srcDeviceType)},
		}
	case RiskLow:
		return nil
	}
	panic(fmt.Sprintf("policy: unknown risk level %q (want %s, %s or %s)", risk, RiskHigh, RiskMedium, RiskLow))
}
