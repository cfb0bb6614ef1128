package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tabula/app"
	"tabula/app/program"
)

// A person who makes boards faster than the limit sees why the next one was not made.
func TestBrowserBoardRateLimitShowsReason(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t, func(c *program.Config) { c.BoardRate = app.Rate{PerMinute: 1, Burst: 1} })
	home := openTab(t, browser, "home", ts.URL+"/b/"+ts.newBoard(t).ID) // the address's one board for now
	home.do("go home", chromedp.Navigate(ts.URL+"/"))
	home.waitFor("the home page", `!!document.querySelector('form[action="/boards"] button')`)
	home.do("click New board", chromedp.Click(chromedp.CSS(`form[action="/boards"] button`)))
	// The page navigates: poll across the navigation.
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(home.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.body?.innerText.includes("creating boards too quickly")`))
		cancel()
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reason was not shown: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // polling a page across a navigation, not synchronising
	}
	home.screenshot("board-rate-limit.png")
}
