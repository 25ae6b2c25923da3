package report

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserNames are the programs TestBrowser looks for, in order, when
// $CHROME does not name the browser.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// findBrowser returns the path of a Chromium-based browser: $CHROME when it
// is set, else the first of browserNames on $PATH.
func findBrowser(t *testing.T) string {
	t.Helper()
	if env := os.Getenv("CHROME"); env != "" {
		path, err := exec.LookPath(env)
		if err != nil {
			t.Fatalf("$CHROME=%q: %v", env, err)
		}
		return path
	}
	for _, name := range browserNames {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := fmt.Sprintf("no browser: none of %s is on $PATH and $CHROME is not set (CI installs the Debian package chromium)",
		strings.Join(browserNames, ", "))
	if os.Getenv("REPORT_BROWSER_REQUIRED") != "" {
		t.Fatal(msg + "; $REPORT_BROWSER_REQUIRED is set, so the test may not skip")
	}
	t.Skip(msg)
	return ""
}

// pageEvents collects, from the browser's event loop, the errors the page
// reported and the URLs it requested.
type pageEvents struct {
	mu       sync.Mutex
	errors   []string // console errors, uncaught exceptions, error log entries, failed loads
	warnings []string // console warnings and warning log entries: logged, not failed
	offDisk  []string // requests of other than file: and data: URLs
	fileURLs []string // requests of file: URLs
}

// listen is the chromedp.Listen func: it runs on the tab's event loop, so
// it only records.
func (p *pageEvents) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, remoteText(a))
		}
		msg := fmt.Sprintf("console.%s(%s)%s", ev.Type, strings.Join(args, ", "), stackPlace(ev.StackTrace))
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			p.errors = append(p.errors, msg)
		case runtime.ConsoleAPICalledTypeWarning:
			p.warnings = append(p.warnings, msg)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := "uncaught exception"
		if d != nil {
			msg = fmt.Sprintf("uncaught exception: %s", d.Text)
			if d.Exception != nil {
				msg += " " + remoteText(d.Exception)
			}
			msg += fmt.Sprintf(" at %s:%d:%d", orAnonymous(d.URL), d.LineNumber+1, d.ColumnNumber+1)
		}
		p.errors = append(p.errors, msg)
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil {
			return
		}
		msg := fmt.Sprintf("log (%s) %s: %s", e.Source, e.Level, e.Text)
		if e.URL != "" {
			msg += fmt.Sprintf(" [%.80s]", e.URL)
		}
		switch e.Level {
		case log.EntryLevelError:
			p.errors = append(p.errors, msg)
		case log.EntryLevelWarning:
			p.warnings = append(p.warnings, msg)
		}
	case *network.EventRequestWillBeSent:
		if ev.Request == nil {
			return
		}
		u := ev.Request.URL
		switch {
		case strings.HasPrefix(u, "file:"):
			p.fileURLs = append(p.fileURLs, u)
		case strings.HasPrefix(u, "data:"):
		default:
			p.offDisk = append(p.offDisk, fmt.Sprintf("%s %.100s", ev.Type, u))
		}
	case *network.EventLoadingFailed:
		p.errors = append(p.errors, fmt.Sprintf("loading failed (%s): %s %s", ev.Type, ev.ErrorText, ev.BlockedReason))
	}
}

func (p *pageEvents) snapshot() (errors, warnings, offDisk, fileURLs []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...), append([]string(nil), p.warnings...),
		append([]string(nil), p.offDisk...), append([]string(nil), p.fileURLs...)
}

// remoteText is a short text of a value the page passed to the console.
func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return "<nil>"
	}
	if len(o.Value) > 0 {
		return fmt.Sprintf("%.200s", o.Value)
	}
	if o.Description != "" {
		return fmt.Sprintf("%.200s", o.Description)
	}
	return string(o.Type)
}

// stackPlace is " at URL:line" of the top frame of s, or "".
func stackPlace(s *runtime.StackTrace) string {
	if s == nil || len(s.CallFrames) == 0 {
		return ""
	}
	f := s.CallFrames[0]
	return fmt.Sprintf(" at %s:%d", orAnonymous(f.URL), f.LineNumber+1)
}

// orAnonymous is the URL of a script, or "<anonymous>" for one with none,
// such as an inline handler.
func orAnonymous(u string) string {
	if u == "" {
		return "<anonymous>"
	}
	return u
}

// lockedBuffer is the browser's output, written by the allocator's
// goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// browserImage is what the page says of one of its <img> elements.
type browserImage struct {
	Figure        string `json:"figure"` // id of the enclosing <figure>
	Src           string `json:"src"`    // the first 30 characters
	Complete      bool   `json:"complete"`
	NaturalWidth  int    `json:"naturalWidth"`
	NaturalHeight int    `json:"naturalHeight"`
}

// browserSection is a link of the page's nav and the element it points to.
type browserSection struct {
	Href   string `json:"href"`
	ID     string `json:"id"`
	Tag    string `json:"tag"` // "" when no element has the id
	Height int    `json:"height"`
	Width  int    `json:"width"`
}

const (
	browserWidth, browserHeight = 1400, 900
	browserTimeout              = 60 * time.Second
)

// TestBrowser opens the report in headless Chromium: the page must load
// with no error and no request off the disk, show every figure decoded,
// and show every section its nav lists. It saves a screenshot of the
// whole page, in $REPORT_SCREENSHOT_DIR/report.png when that is set.
func TestBrowser(t *testing.T) {
	browser := findBrowser(t)
	start := time.Now()
	dir, r := generatedShared(t)
	abs, err := filepath.Abs(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	generatedIn := time.Since(start)

	// The timeout bounds the browser's whole life: a hung browser fails the
	// test rather than hanging it. The cancels run in reverse order: the tab
	// and browser first, then the allocator, which waits for the process to
	// exit.
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	var output lockedBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox, // the tests may run as root
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.WindowSize(browserWidth, browserHeight),
		chromedp.Flag("force-device-scale-factor", "1"),
		chromedp.CombinedOutput(&output),
	)...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	defer func() {
		if t.Failed() {
			t.Logf("%s output:\n%s", browser, output.String())
		}
	}()

	// Start the browser and open the tab, then listen before navigating.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	var events pageEvents
	if err := chromedp.Listen(ctx, events.listen); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("opening %s: %v", pageURL, err)
	}
	const loaded = `document.readyState === "complete" && Array.from(document.images).every(i => i.complete)`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](loaded, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("waiting for the page and its images to load: %v", err)
	}

	// Every image is a figure, loaded and decoded.
	imgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]browserImage](`Array.from(document.images, i => ({
		figure: i.closest("figure") ? i.closest("figure").id : "",
		src: i.getAttribute("src").slice(0, 30),
		complete: i.complete,
		naturalWidth: i.naturalWidth,
		naturalHeight: i.naturalHeight,
	}))`))
	if err != nil {
		t.Fatalf("reading the images: %v", err)
	}
	if len(imgs) == 0 {
		t.Error("the page has no images")
	}
	for i, img := range imgs {
		if !img.Complete || img.NaturalWidth == 0 || img.NaturalHeight == 0 {
			t.Errorf("image %d (figure %q, src %q...): complete %v, natural size %dx%d; want a loaded, decoded image",
				i, img.Figure, img.Src, img.Complete, img.NaturalWidth, img.NaturalHeight)
		}
	}
	if want := len(r.Figures()); len(imgs) != want {
		t.Errorf("the page has %d images, the run %d figures", len(imgs), want)
	}

	// Every section of the nav is on the page and takes room.
	sections, err := chromedp.Run(ctx, chromedp.Evaluate[[]browserSection](`Array.from(document.querySelectorAll("nav a"), a => {
		const href = a.getAttribute("href") || "";
		const id = href.startsWith("#") ? decodeURIComponent(href.slice(1)) : "";
		const el = id ? document.getElementById(id) : null;
		return {href, id, tag: el ? el.tagName.toLowerCase() : "", height: el ? el.offsetHeight : 0, width: el ? el.offsetWidth : 0};
	})`))
	if err != nil {
		t.Fatalf("reading the nav: %v", err)
	}
	if len(sections) == 0 {
		t.Error("the page's nav lists no sections")
	}
	seen := map[string]bool{}
	for _, s := range sections {
		switch {
		case s.ID == "":
			t.Errorf("nav link %q is not a link to a section of the page", s.Href)
		case seen[s.ID]:
			t.Errorf("the nav lists section %q twice", s.ID)
		case s.Tag == "":
			t.Errorf("the nav lists section %q, which is not on the page", s.ID)
		case s.Tag != "section":
			t.Errorf("the nav links %q to a <%s>, want a <section>", s.ID, s.Tag)
		case s.Height <= 0 || s.Width <= 0:
			t.Errorf("section %q is not visible: %dx%d px", s.ID, s.Width, s.Height)
		}
		seen[s.ID] = true
	}

	// A screenshot of the whole page, to look at. FullScreenshot gives a
	// PNG at quality 100 only (a JPEG below).
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	shotDir := os.Getenv("REPORT_SCREENSHOT_DIR")
	if shotDir == "" {
		shotDir = t.TempDir()
	} else if err := os.MkdirAll(shotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(shotDir, "report.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the report: %s", shotPath)
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Errorf("screenshot %s: %v", shotPath, err)
	} else if b := img.Bounds(); b.Dx() <= 1000 {
		t.Errorf("screenshot %s is %dx%d px, want wider than 1000 px", shotPath, b.Dx(), b.Dy())
	} else {
		t.Logf("screenshot is %dx%d px", b.Dx(), b.Dy())
	}

	// What the page reported while it loaded and was measured.
	errs, warnings, offDisk, fileURLs := events.snapshot()
	for _, w := range warnings {
		t.Logf("browser warning: %s", w)
	}
	if len(errs) > 0 {
		t.Errorf("the page reported %d errors:\n\t%s", len(errs), strings.Join(errs, "\n\t"))
	}
	if len(offDisk) > 0 {
		t.Errorf("the page made %d requests off the disk (only file: and data: URLs are allowed):\n\t%s",
			len(offDisk), strings.Join(offDisk, "\n\t"))
	}
	if !containsPrefix(fileURLs, pageURL) {
		t.Errorf("no request for %s seen (file: requests %q): the network check saw nothing", pageURL, fileURLs)
	}

	if err := chromedp.Cancel(ctx); err != nil {
		t.Errorf("closing the browser: %v", err)
	}
	t.Logf("report generated in %v, checked in the browser in %v", generatedIn.Round(time.Millisecond), (time.Since(start) - generatedIn).Round(time.Millisecond))
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
