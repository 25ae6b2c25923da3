package policy_test

import (
	"fmt"

	"github.com/segharness/harness/internal/policy"
)

// The notebook's incident: a HIGH-risk flow from an accounting workstation.
func ExampleActions() {
	for _, a := range policy.Actions(policy.RiskHigh, "accounting", "workstation") {
		fmt.Printf("%d. %-15s %-22s %s\n", a.Step, a.Kind, a.Target, a.Text)
	}
	// Output:
	// 1. isolate_source  accounting/workstation Isolate source device (accounting workstation)
	// 2. block_outbound  accounting/workstation Block all outbound connections from the source
	// 3. monitor_segment accounting             Monitor all devices in the accounting segment
	// 4. alert           security_team          Alert the security team for incident response
	// 5. forensic        accounting/workstation Preserve logs and network flows
}
