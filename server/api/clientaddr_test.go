package api

import (
	"net"
	"net/http/httptest"
	"testing"
)

func TestClientAddress_TrustsForwardedForOnlyFromTheConfiguredProxies(t *testing.T) {
	_, proxies, err := net.ParseCIDR("10.1.2.0/24")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		trusted bool
		peer    string
		xff     string
		want    string
	}{
		{"no proxy configured: the peer, whatever the header says", false, "203.0.113.9:5000", "198.51.100.7", "203.0.113.9"},
		{"through a trusted proxy: the client it names", true, "10.1.2.3:5000", "198.51.100.7", "198.51.100.7"},
		{"through two trusted proxies: the first untrusted from the right", true, "10.1.2.3:5000", "198.51.100.7, 10.1.2.4", "198.51.100.7"},
		{"a client that forges the header before the proxy: still itself", true, "10.1.2.3:5000", "192.0.2.66, 198.51.100.7", "198.51.100.7"},
		{"straight from an untrusted address: the peer", true, "203.0.113.9:5000", "198.51.100.7", "203.0.113.9"},
		{"a private address that is not a configured proxy: the peer", true, "192.168.1.5:5000", "198.51.100.7", "192.168.1.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ps []*net.IPNet
			if tc.trusted {
				ps = []*net.IPNet{proxies}
			}
			r := httptest.NewRequest("GET", "/healthz", nil)
			r.RemoteAddr = tc.peer
			r.Header.Set("X-Forwarded-For", tc.xff)
			if got := clientAddress(ps)(r); got != tc.want {
				t.Fatalf("client %q; want %q", got, tc.want)
			}
		})
	}
}
