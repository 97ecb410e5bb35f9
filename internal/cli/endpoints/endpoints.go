// Package endpoints is the `vpce endpoints` command: a readable view of a
// region's VPC endpoints with their interfaces, addresses, routes and DNS
// names, read from a running vpce (or any EC2 Query endpoint).
package endpoints

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
)

// Options are the command's flags.
type Options struct {
	EndpointURL string
	Region      string
	AccessKey   string
	SecretKey   string
	VpcID       string
	Output      string
}

// View is one endpoint as the command shows it.
type View struct {
	ID         string          `json:"vpcEndpointId"`
	Type       string          `json:"vpcEndpointType"`
	Service    string          `json:"serviceName"`
	State      string          `json:"state"`
	VpcID      string          `json:"vpcId"`
	PrivateDNS bool            `json:"privateDnsEnabled"`
	Groups     []string        `json:"securityGroupIds,omitempty"`
	Interfaces []InterfaceView `json:"networkInterfaces,omitempty"`
	Routes     []RouteView     `json:"routes,omitempty"`
	DNSNames   []string        `json:"dnsNames,omitempty"`
}

// InterfaceView is an endpoint's interface in one subnet.
type InterfaceView struct {
	ID     string `json:"networkInterfaceId"`
	Subnet string `json:"subnetId"`
	Zone   string `json:"availabilityZone"`
	IP     string `json:"privateIpAddress"`
}

// RouteView is a gateway endpoint's route in one route table.
type RouteView struct {
	RouteTable  string `json:"routeTableId"`
	Destination string `json:"destinationPrefixListId"`
	CIDRs       int    `json:"prefixListCidrs"`
}

// NewCmd returns the `endpoints` command.
func NewCmd() *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "endpoints",
		Short: "List VPC endpoints with their interfaces, addresses, routes and DNS names",
		Long: `List the VPC endpoints of a region as a running vpce sees them: for
interface endpoints, the network interface in each subnet and its address,
and the DNS names; for gateway endpoints, the route in each route table.

Credentials come from --access-key/--secret-key or AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY; a 12-digit access key selects that account.`,
		Example: `  vpce endpoints
  vpce endpoints --vpc-id vpc-0123456789abcdef0 --output json
  vpce endpoints --endpoint-url http://127.0.0.1:4566 --region eu-west-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Output != "table" && o.Output != "json" {
				return fmt.Errorf("--output must be table or json, not %q", o.Output)
			}
			views, err := Collect(cmd.Context(), o)
			if err != nil {
				return err
			}
			if o.Output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(views)
			}
			return WriteTable(cmd.OutOrStdout(), views)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.EndpointURL, "endpoint-url", envOr("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:4566"), "EC2 API to read from")
	f.StringVar(&o.Region, "region", envOr("AWS_DEFAULT_REGION", envOr("AWS_REGION", "us-east-1")), "region")
	f.StringVar(&o.AccessKey, "access-key", envOr("AWS_ACCESS_KEY_ID", "test"), "access key ID (a 12-digit key selects that account)")
	f.StringVar(&o.SecretKey, "secret-key", envOr("AWS_SECRET_ACCESS_KEY", "test"), "secret access key")
	f.StringVar(&o.VpcID, "vpc-id", "", "only endpoints of this VPC")
	f.StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

// Collect reads the endpoints and their interfaces from the API.
func Collect(ctx context.Context, o *Options) ([]View, error) {
	c := &ec2query.Client{URL: o.EndpointURL, AccessKey: o.AccessKey, SecretKey: o.SecretKey, Region: o.Region}
	params := url.Values{}
	if o.VpcID != "" {
		params.Set("Filter.1.Name", "vpc-id")
		params.Set("Filter.1.Value.1", o.VpcID)
	}
	var eps []*cloud.VpcEndpoint
	for {
		var page cloud.DescribeVpcEndpointsOutput
		if err := c.Do(ctx, "DescribeVpcEndpoints", params, &page); err != nil {
			return nil, err
		}
		eps = append(eps, page.VpcEndpoints...)
		if page.NextToken == "" {
			break
		}
		params.Set("NextToken", page.NextToken)
	}
	enis := map[string]*cloud.NetworkInterface{}
	eniParams := url.Values{"Filter.1.Name": {"interface-type"}, "Filter.1.Value.1": {cloud.InterfaceTypeVpcEndpoint}}
	var out cloud.DescribeNetworkInterfacesOutput
	if err := c.Do(ctx, "DescribeNetworkInterfaces", eniParams, &out); err != nil {
		return nil, err
	}
	for _, e := range out.NetworkInterfaces {
		enis[e.NetworkInterfaceID] = e
	}
	views := make([]View, 0, len(eps))
	for _, e := range eps {
		v := View{ID: e.VpcEndpointID, Type: e.VpcEndpointType, Service: e.ServiceName, State: e.State, VpcID: e.VpcID, PrivateDNS: e.PrivateDNSEnabled}
		for _, g := range e.Groups {
			v.Groups = append(v.Groups, g.GroupID)
		}
		for _, id := range e.NetworkInterfaceIDs {
			iv := InterfaceView{ID: id}
			if n := enis[id]; n != nil {
				iv.Subnet, iv.Zone, iv.IP = n.SubnetID, n.AvailabilityZone, n.PrivateIPAddress.String()
			}
			v.Interfaces = append(v.Interfaces, iv)
		}
		if pl, ok := catalog.ServicePrefixList(o.Region, e.ServiceName); ok && e.VpcEndpointType == catalog.TypeGateway {
			for _, rt := range e.RouteTableIDs {
				v.Routes = append(v.Routes, RouteView{RouteTable: rt, Destination: pl.ID, CIDRs: len(pl.CIDRs)})
			}
		}
		for _, d := range e.DNSEntries {
			v.DNSNames = append(v.DNSNames, d.DNSName)
		}
		views = append(views, v)
	}
	return views, nil
}

// WriteTable prints the endpoints for a person: one aligned line per
// endpoint, then an indented line per interface, route and DNS name.
func WriteTable(w io.Writer, views []View) error {
	if len(views) == 0 {
		_, err := fmt.Fprintln(w, "no VPC endpoints")
		return err
	}
	var head bytes.Buffer
	tw := tabwriter.NewWriter(&head, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tTYPE\tSERVICE\tSTATE\tVPC\tPRIVATE DNS")
	for _, v := range views {
		dns := "-"
		if v.Type == catalog.TypeInterface {
			dns = map[bool]string{true: "on", false: "off"}[v.PrivateDNS]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Type, v.Service, v.State, v.VpcID, dns)
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(head.String(), "\n"), "\n")
	fmt.Fprintln(w, lines[0])
	for i, v := range views {
		fmt.Fprintln(w, lines[i+1])
		for _, n := range v.Interfaces {
			fmt.Fprintf(w, "    interface  %s  %s  %s  %s\n", n.ID, n.Subnet, n.Zone, n.IP)
		}
		if len(v.Groups) > 0 {
			fmt.Fprintf(w, "    groups     %s\n", strings.Join(v.Groups, ", "))
		}
		for _, r := range v.Routes {
			fmt.Fprintf(w, "    route      %s  %s (%d CIDRs) -> %s\n", r.RouteTable, r.Destination, r.CIDRs, v.ID)
		}
		for _, d := range v.DNSNames {
			fmt.Fprintf(w, "    dns        %s\n", d)
		}
	}
	return nil
}

func envOr(name, def string) string {
	if v, ok := lookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
