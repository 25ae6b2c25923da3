package flow

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// valid is the notebook's suspicious incident flow.
var valid = Flow{
	SrcDeviceType: "workstation", SrcDepartment: "accounting",
	DstDeviceType: "server", DstDepartment: "it", Protocol: "TCP",
	BytesSent: 50000000, PacketsSent: 35000, Duration: 7200, Hour: 23,
	IsBusinessHours: false, CPUUsage: 95, PortsContacted: 12,
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Flow)
		want   string // the error; "" for none
		field  string
	}{
		{"valid", func(*Flow) {}, "", ""},
		{"zeros", func(f *Flow) {
			f.BytesSent, f.PacketsSent, f.Duration, f.Hour, f.CPUUsage, f.PortsContacted = 0, 0, 0, 0, 0, 0
		}, "", ""},
		{"negative zero", func(f *Flow) { f.BytesSent = math.Copysign(0, -1) }, "", ""},
		{"upper bounds", func(f *Flow) { f.Hour, f.CPUUsage = 23, 100 }, "", ""},
		{"huge", func(f *Flow) { f.BytesSent, f.PacketsSent = math.MaxFloat64, math.MaxInt64 }, "", ""},
		{"negative bytes", func(f *Flow) { f.BytesSent = -5 }, "bytes_sent: -5 is negative", ColBytesSent},
		{"NaN bytes", func(f *Flow) { f.BytesSent = math.NaN() }, "bytes_sent: NaN is not a finite number", ColBytesSent},
		{"infinite bytes", func(f *Flow) { f.BytesSent = math.Inf(1) }, "bytes_sent: +Inf is not a finite number", ColBytesSent},
		{"-Inf bytes", func(f *Flow) { f.BytesSent = math.Inf(-1) }, "bytes_sent: -Inf is negative", ColBytesSent},
		{"negative packets", func(f *Flow) { f.PacketsSent = -1 }, "packets_sent: -1 is negative", ColPacketsSent},
		{"min packets", func(f *Flow) { f.PacketsSent = math.MinInt64 }, "packets_sent: -9223372036854775808 is negative", ColPacketsSent},
		{"negative duration", func(f *Flow) { f.Duration = -0.5 }, "duration: -0.5 is negative", ColDuration},
		{"infinite duration", func(f *Flow) { f.Duration = math.Inf(1) }, "duration: +Inf is not a finite number", ColDuration},
		{"hour 24", func(f *Flow) { f.Hour = 24 }, "hour: 24 is outside 0..23", ColHour},
		{"negative hour", func(f *Flow) { f.Hour = -1 }, "hour: -1 is outside 0..23", ColHour},
		{"CPU above 100", func(f *Flow) { f.CPUUsage = 100.01 }, "cpu_usage: 100.01 is outside 0..100", ColCPUUsage},
		{"negative CPU", func(f *Flow) { f.CPUUsage = -3 }, "cpu_usage: -3 is outside 0..100", ColCPUUsage},
		{"NaN CPU", func(f *Flow) { f.CPUUsage = math.NaN() }, "cpu_usage: NaN is not a finite number", ColCPUUsage},
		{"infinite CPU", func(f *Flow) { f.CPUUsage = math.Inf(1) }, "cpu_usage: +Inf is outside 0..100", ColCPUUsage},
		{"negative ports", func(f *Flow) { f.PortsContacted = -2 }, "ports_contacted: -2 is negative", ColPortsContacted},
		{"the first of two", func(f *Flow) { f.Hour, f.BytesSent = 30, -1 }, "bytes_sent: -1 is negative", ColBytesSent},
		{"categories are not checked", func(f *Flow) { f.Protocol, f.SrcDepartment = "SCTP", "" }, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := valid
			tc.change(&f)
			err := f.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if errs := f.FieldErrors(); errs != nil {
					t.Errorf("FieldErrors: %v", errs)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate: %v, want %s", err, tc.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("error %#v is not a *FieldError for %s", err, tc.field)
			}
			if p := fe.Field + ": " + fe.Problem(); p != tc.want {
				t.Errorf("field and problem %q, want %q", p, tc.want)
			}
			if errs := f.FieldErrors(); len(errs) == 0 || *errs[0] != *fe {
				t.Errorf("FieldErrors %v, want %v first", errs, fe)
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	f := valid
	f.BytesSent, f.PacketsSent, f.Duration, f.Hour, f.CPUUsage, f.PortsContacted = -1, -2, math.NaN(), 24, 101, -3
	var got []string
	for _, e := range f.FieldErrors() {
		got = append(got, e.Error())
	}
	want := []string{
		"bytes_sent: -1 is negative", "packets_sent: -2 is negative", "duration: NaN is not a finite number",
		"hour: 24 is outside 0..23", "cpu_usage: 101 is outside 0..100", "ports_contacted: -3 is negative",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FieldErrors\n%q, want\n%q", got, want)
	}
	e := f.FieldErrors()[3]
	if *e != (FieldError{Field: ColHour, Value: "24", Range: "0..23"}) {
		t.Errorf("hour's error %#v", e)
	}
}

func TestDepts(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name              string
		src, dst          string
		same, cross       *bool
		wantSame, wantCro bool
	}{
		{"derived, different departments", "hr", "it", nil, nil, false, true},
		{"derived, same department", "it", "it", nil, nil, true, false},
		{"given, as a lateral movement sets them", "hr", "hr", &no, &yes, false, true},
		{"one given", "hr", "it", &yes, nil, true, true},
	} {
		f := valid
		f.SrcDepartment, f.DstDepartment, f.SameDept, f.CrossDept = tc.src, tc.dst, tc.same, tc.cross
		if same, cross := f.Depts(); same != tc.wantSame || cross != tc.wantCro {
			t.Errorf("%s: Depts %v, %v, want %v, %v", tc.name, same, cross, tc.wantSame, tc.wantCro)
		}
	}
}

// At reads every column of a row, without allocating.
func TestAt(t *testing.T) {
	f := New(2)
	f.SrcDeviceType.Codes[1], f.SrcDepartment.Codes[1] = 2, 3
	f.DstDeviceType.Codes[1], f.DstDepartment.Codes[1], f.Protocol.Codes[1] = 4, 5, 1
	f.BytesSent[1], f.PacketsSent[1], f.Duration[1], f.Hour[1] = 1.5, 2, 3.5, 4
	f.IsBusinessHours[1], f.CPUUsage[1], f.PortsContacted[1] = true, 5.5, 6
	f.SameDept[1], f.CrossDept[1] = false, true
	got := f.At(1)
	want := Flow{
		SrcDeviceType: "database", SrcDepartment: "sales", DstDeviceType: "mobile", DstDepartment: "executive",
		Protocol: "UDP", BytesSent: 1.5, PacketsSent: 2, Duration: 3.5, Hour: 4, IsBusinessHours: true,
		CPUUsage: 5.5, PortsContacted: 6,
	}
	if got.SameDept == nil || got.CrossDept == nil || *got.SameDept || !*got.CrossDept {
		t.Fatalf("At: same_dept %v, cross_dept %v, want false, true", got.SameDept, got.CrossDept)
	}
	got.SameDept, got.CrossDept = nil, nil
	if got != want {
		t.Errorf("At\n%+v, want\n%+v", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { got = f.At(1) }); n != 0 {
		t.Errorf("At allocates %v times", n)
	}
}

// The JSON form is harness score's wire format: the notebook's names,
// same_dept and cross_dept omitted when not given.
func TestJSON(t *testing.T) {
	b, err := json.Marshal(valid)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"src_device_type":"workstation","src_department":"accounting","dst_device_type":"server","dst_department":"it","protocol":"TCP","bytes_sent":50000000,"packets_sent":35000,"duration":7200,"hour":23,"is_business_hours":false,"cpu_usage":95,"ports_contacted":12}`
	if string(b) != want {
		t.Errorf("JSON\n%s, want\n%s", b, want)
	}
	f := valid
	yes, no := true, false
	f.SameDept, f.CrossDept = &no, &yes
	b, err = json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), `"ports_contacted":12,"same_dept":false,"cross_dept":true}`) {
		t.Errorf("JSON with the department flags: %s", b)
	}
	var back Flow
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, f) {
		t.Errorf("round trip %+v, want %+v", back, f)
	}
}

func TestCheckRow(t *testing.T) {
	f := New(3)
	f.AnomalyType.Codes[1], f.IsAnomaly[1] = 1, true // crypto_mining
	f.Hour[2] = 24
	f.IsAnomaly[2] = true // and labels that disagree: the range is reported first
	if err := f.CheckRow(0); err != nil {
		t.Errorf("row 0: %v", err)
	}
	if err := f.CheckRow(1); err != nil {
		t.Errorf("row 1: %v", err)
	}
	if err := f.Check(); err == nil || err.Error() != "row 2: hour: 24 is outside 0..23" {
		t.Errorf("Check: %v", err)
	}
	f.Hour[2] = 23
	err := f.Check()
	const want = `row 2: is_anomaly: true disagrees with anomaly_type "normal" (is_anomaly is false exactly for "normal")`
	if err == nil || err.Error() != want {
		t.Fatalf("Check: %v, want %s", err, want)
	}
	var le *LabelError
	if !errors.As(err, &le) || *le != (LabelError{IsAnomaly: true, AnomalyType: Normal}) {
		t.Errorf("error %#v is not the *LabelError", err)
	}
}
