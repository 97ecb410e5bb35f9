package ec2query

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
)

// Client calls an EC2 Query API (vpce serve, or AWS) with SigV4-signed
// requests and decodes responses into the output types of package cloud.
// The zero value is not usable: URL, AccessKey, SecretKey and Region are
// needed.
type Client struct {
	URL       string
	AccessKey string
	SecretKey string
	Region    string
	// HTTP is the client to use; nil means one with a 30 s timeout.
	HTTP *http.Client
}

// Do calls action with params and decodes the response into out.
func (c *Client) Do(ctx context.Context, action string, params url.Values, out any) error {
	form := url.Values{"Action": {action}, "Version": {APIVersion}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.URL, "/")+"/", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	Sign(req, []byte(body), c.AccessKey, c.SecretKey, c.Region, ServiceEC2, time.Now())
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		var doc struct {
			Errors []struct {
				Code    string `xml:"Code"`
				Message string `xml:"Message"`
			} `xml:"Errors>Error"`
		}
		if xml.Unmarshal(b, &doc) == nil && len(doc.Errors) > 0 {
			return &apierr.Error{Code: doc.Errors[0].Code, Message: doc.Errors[0].Message, Status: resp.StatusCode}
		}
		return fmt.Errorf("%s: HTTP %d: %s", action, resp.StatusCode, bytes.TrimSpace(b))
	}
	if err := xml.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", action, err)
	}
	return nil
}
