package monitor

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/segharness/harness/internal/flow"
	"github.com/segharness/harness/internal/monitor/retrain"
)

// labelMeta is what the simulation knows of a labelled flow besides its
// columns.
type labelMeta struct {
	arrival  time.Duration
	variant  string // the attack variant; "" for a normal flow
	scoredBy string // the deployed model's version when the flow happened
	flag     bool   // its decision
	routedTo string // the candidate's version if the flow was routed to it
	candFlag bool   // the candidate's decision
}

// labelQueue holds the labels on their way (pending, in order of arrival)
// and, with retraining, the labelled flows that arrived (pool, in order of
// arrival), the candidates' training data and holdout.
type labelQueue struct {
	pending *flow.Table
	meta    []labelMeta

	keep     bool // keep arrived labels for training
	pool     *flow.Table
	arrivals []time.Duration
	variants []string
}

func newLabelQueue(m *sim) *labelQueue {
	return &labelQueue{
		pending: m.Reference.Rows(nil),
		keep:    m.retrain != nil,
		pool:    m.Reference.Rows(nil),
	}
}

// enqueue draws which of the window's flows get a label, each with the
// probability of its class, and queues them to arrive Feedback.Delay after
// the flow.
func (q *labelQueue) enqueue(m *sim, wf *windowFlows, r *rand.Rand) {
	fb := m.Scenario.Feedback
	f := wf.flows
	var rows []int
	for i := range f.Len() {
		share := fb.NormalFraction
		if f.IsAnomaly[i] {
			share = fb.AnomalyFraction
		}
		if r.Float64() < share {
			rows = append(rows, i)
		}
	}
	slices.SortStableFunc(rows, func(a, b int) int { return compareDuration(wf.times[a], wf.times[b]) })
	q.pending.AppendRows(f, rows)
	for _, i := range rows {
		meta := labelMeta{arrival: wf.times[i] + fb.Delay, scoredBy: m.deployed.version, flag: wf.flag[i]}
		if c := wf.campaign[i]; c >= 0 {
			meta.variant = m.occurrences[c].campaign.VariantOf()
		}
		if wf.routed[i] {
			meta.routedTo, meta.candFlag = m.candidate.version, wf.candFlag[i]
		}
		q.meta = append(q.meta, meta)
	}
}

// deliver takes the labels that arrived by t and returns them as the
// policy's feedback: counts of the flows the models deployed now scored.
func (q *labelQueue) deliver(m *sim, t time.Duration) retrain.Feedback {
	k := 0
	for k < len(q.meta) && q.meta[k].arrival <= t {
		k++
	}
	var fb retrain.Feedback
	for j, meta := range q.meta[:k] {
		anomalous := q.pending.IsAnomaly[j]
		fb.Samples++
		if anomalous {
			fb.Anomalies++
			if !slices.Contains(m.deployed.known, meta.variant) {
				fb.NewPatterns++
			}
		}
		if meta.scoredBy == m.deployed.version {
			count(&fb.Current, anomalous, meta.flag)
		}
		if m.candidate != nil && meta.routedTo == m.candidate.version {
			count(&fb.Candidate, anomalous, meta.candFlag)
		}
	}
	if k == 0 {
		return fb
	}
	if q.keep {
		q.pool.AppendRows(q.pending, allRows(k))
		for _, meta := range q.meta[:k] {
			q.arrivals = append(q.arrivals, meta.arrival)
			q.variants = append(q.variants, meta.variant)
		}
		q.trim(m.Scenario.Retraining.MaxSamples)
	}
	rest := make([]int, len(q.meta)-k)
	for j := range rest {
		rest[j] = k + j
	}
	q.pending = q.pending.Rows(rest)
	q.meta = slices.Delete(q.meta, 0, k)
	return fb
}

// trim drops the oldest labelled flows beyond limit, copying only when a
// quarter more than limit have gathered.
func (q *labelQueue) trim(limit int) {
	n := q.pool.Len()
	if n <= limit+limit/4 {
		return
	}
	keep := make([]int, limit)
	for j := range keep {
		keep[j] = n - limit + j
	}
	q.pool = q.pool.Rows(keep)
	q.arrivals = slices.Clone(q.arrivals[n-limit:])
	q.variants = slices.Clone(q.variants[n-limit:])
}

func count(c *retrain.Counts, anomalous, flagged bool) {
	switch {
	case anomalous && flagged:
		c.TP++
	case anomalous:
		c.FN++
	case flagged:
		c.FP++
	default:
		c.TN++
	}
}

// trainingSet splits the labelled flows at t: those that arrived in the
// last Holdout are the holdout; the most recent MaxSamples of the others,
// after the reference flows, are the candidate's training set. known lists
// the attack variants of the training set.
func (q *labelQueue) trainingSet(m *sim, t time.Duration) (train *flow.Table, known []string, holdout *flow.Table) {
	cut := t - m.Scenario.Retraining.Holdout
	split := 0
	for split < len(q.arrivals) && q.arrivals[split] <= cut {
		split++
	}
	from := max(0, split-m.Scenario.Retraining.MaxSamples)
	train = m.Reference.Rows(allRows(m.Reference.Len()))
	trainRows := make([]int, 0, split-from)
	known = slices.Clone(m.knownInitial)
	for j := from; j < split; j++ {
		trainRows = append(trainRows, j)
		if v := q.variants[j]; v != "" && !slices.Contains(known, v) {
			known = append(known, v)
		}
	}
	slices.Sort(known)
	train.AppendRows(q.pool, trainRows)
	holdoutRows := make([]int, 0, len(q.arrivals)-split)
	for j := split; j < len(q.arrivals); j++ {
		holdoutRows = append(holdoutRows, j)
	}
	return train, known, q.pool.Rows(holdoutRows)
}
