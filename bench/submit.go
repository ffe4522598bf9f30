package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// The submission both sides write: a complaint with contact data, a Chinese
// subject and a body of about 200 Chinese characters.
const (
	petitionerName  = "张三"
	petitionerPhone = "13800138000"
	petitionerEmail = "zhang.san@example.com"
	caseSubject     = "社区服务中心排队时间过长，希望增加办理窗口"
	caseBody        = "我上周二上午九点到社区服务中心办理居住证续签，取号后前面有四十多人，" +
		"但只开放了两个窗口，其中一个窗口的工作人员还经常离开座位。我一直等到中午十二点才办完手续，" +
		"期间很多老人只能站着等候，现场也没有工作人员解释原因或引导分流。希望中心能在高峰时段增加窗口，" +
		"开通网上预约和叫号提醒，并在等候区增加座椅，方便老人和带小孩的居民。" +
		"另外，建议在门口张贴各类业务所需材料清单，避免居民因材料不全而白跑一趟。谢谢！"
)

const submitMutation = `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode pin } }`

// submitRequest is the JSON body of one public submission, without an
// idempotency key.
func submitRequest() []byte {
	return mustJSON(map[string]any{"query": submitMutation, "variables": map[string]any{"in": map[string]any{
		"kind": "COMPLAINT", "subject": caseSubject, "body": caseBody,
		"name": petitionerName, "phone": petitionerPhone, "email": petitionerEmail,
	}}})
}

// measureSubmit runs o.clients goroutines posting submitCase as fast as
// they can and returns the successful submissions per second after the
// warm-up.
func measureSubmit(ctx context.Context, o options, srv *server) (float64, error) {
	log := o.progressLogs
	client := newClient(srv.url, o.clients)
	defer client.http.CloseIdleConnections()
	body := submitRequest()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range o.clients {
		wg.Go(func() {
			for runCtx.Err() == nil {
				var out struct{ SubmitCase struct{ TrackingCode string } }
				if err := client.do(runCtx, body, &out); err != nil {
					if runCtx.Err() == nil {
						once.Do(func() { firstErr = err; cancel() })
					}
					return
				}
				if out.SubmitCase.TrackingCode == "" {
					once.Do(func() { firstErr = errors.New("submitCase returned no tracking code"); cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	log.Info("xinfang submitCase: warming up", "clients", o.clients, "warmup", o.warmup)
	sleep(runCtx, o.warmup)
	stopProfile, err := startProfile(o.cpuProfile)
	if err != nil {
		cancel()
		wg.Wait()
		return 0, err
	}
	log.Info("xinfang submitCase: measuring", "duration", o.duration)
	n0, t0 := done.Load(), time.Now()
	sleep(runCtx, o.duration)
	n1, elapsed := done.Load(), time.Since(t0)
	stopProfile()
	cancel()
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	tps := float64(n1-n0) / elapsed.Seconds()
	log.Info("xinfang submitCase: done", "requests", n1-n0, "req/s", fmt.Sprintf("%.1f", tps))
	return tps, nil
}

// startProfile starts a CPU profile into path, if given, and returns its
// stop function.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// gqlClient posts GraphQL requests over HTTP keep-alive connections.
type gqlClient struct {
	http  *http.Client
	url   string
	token string
}

func newClient(url string, conns int) *gqlClient {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &gqlClient{http: &http.Client{Transport: tr, Timeout: time.Minute}, url: url}
}

// as returns a client that signs requests with a staff token.
func (c *gqlClient) as(token string) *gqlClient {
	cp := *c
	cp.token = token
	return &cp
}

// send posts body and returns the whole response body; only the transport
// and the status are checked.
func (c *gqlClient) send(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s: %.300s", resp.Status, b)
	}
	return b, nil
}

// do posts body and decodes the response's data into out; a response with
// errors is an error.
func (c *gqlClient) do(ctx context.Context, body []byte, out any) error {
	b, err := c.send(ctx, body)
	if err != nil {
		return err
	}
	return decode(b, out)
}

// decode checks a GraphQL response for errors and decodes its data.
func decode(b []byte, out any) error {
	var resp struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return fmt.Errorf("decode response: %w: %.300s", err, b)
	}
	if len(resp.Errors) > 0 {
		return fmt.Errorf("GraphQL error: %s", resp.Errors[0])
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp.Data, out)
}

// request is the JSON body of a GraphQL operation.
func request(query string, vars map[string]any) []byte {
	return mustJSON(map[string]any{"query": query, "variables": vars})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
