package redisstore

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClientOptions are what NewClient sets where the URL says nothing.
type ClientOptions struct {
	DialTimeout, IOTimeout time.Duration
	// NoRetries turns go-redis's retries off unless the URL sets max_retries.
	NoRetries bool
}

// NewClient returns a go-redis client, not yet connected, for a -redis URL and the
// addresses it names, for messages:
//
//   - redis://[user:password@]host:port/db (rediss:// for TLS): one Redis;
//   - redis+cluster://[user:password@]host:port?addr=host2:port2… (rediss+cluster://):
//     a Redis Cluster, given by one or more of its nodes; the client learns the rest
//     and which node holds which slot, and follows the cluster as slots move.
//
// go-redis's options go in the query (dial_timeout=, pool_size=, …). The store's own
// parameters (wait=, wait_timeout=) are ignored here.
func NewClient(rawURL string, o ClientOptions) (redis.UniversalClient, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("%q: malformed", redact(rawURL))
	}
	cluster := strings.HasSuffix(u.Scheme, "+cluster")
	u.Scheme = strings.TrimSuffix(u.Scheme, "+cluster")
	if (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, "", fmt.Errorf("%q: want redis://host:port/db, or redis+cluster://host:port for a cluster", redact(rawURL))
	}
	q := u.Query()
	q.Del("wait")
	q.Del("wait_timeout")
	u.RawQuery = q.Encode()
	dial, read, write, retries := o.DialTimeout, o.IOTimeout, o.IOTimeout, 0
	if o.NoRetries {
		// A write is retried by its client, whose resend the cid recognises; a retry in
		// here would only make a refusal of our own first attempt look like a conflict.
		retries = -1
	}
	set := func(d, r, w *time.Duration, n *int) {
		if !q.Has("dial_timeout") && dial > 0 {
			*d = dial
		}
		if !q.Has("read_timeout") && read > 0 {
			*r = read
		}
		if !q.Has("write_timeout") && write > 0 {
			*w = write
		}
		if !q.Has("max_retries") && retries != 0 {
			*n = retries
		}
	}
	if cluster {
		if u.Path != "" && u.Path != "/" && u.Path != "/0" {
			return nil, "", fmt.Errorf("%q: a Redis Cluster has database 0 only", redact(rawURL))
		}
		u.Path = ""
		opt, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, "", fmt.Errorf("%q: %w", redact(rawURL), err)
		}
		set(&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.MaxRetries)
		opt.DisableIdentity = true
		return redis.NewClusterClient(opt), strings.Join(opt.Addrs, ","), nil
	}
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, "", fmt.Errorf("%q: %w", redact(rawURL), err)
	}
	set(&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.MaxRetries)
	opt.DisableIdentity = true // no CLIENT SETINFO: older servers refuse it noisily
	return redis.NewClient(opt), opt.Addr, nil
}
