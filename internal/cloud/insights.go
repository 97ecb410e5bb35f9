package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// The EC2 Network Insights API (Reachability Analyzer): paths and
// analyses are resources here; the analysis itself is the path engine's,
// plugged in as Config.Paths so that the domain does not depend on it.

const (
	kindInsightsPath     = "network-insights-path"
	kindInsightsAnalysis = "network-insights-analysis"
)

// PathAnalyzer analyses a Network Insights path over a snapshot.
type PathAnalyzer interface {
	AnalyzePath(snap *Snapshot, p *NetworkInsightsPath) (*PathFindings, error)
}

// PathFindings is what an analysis found, in Reachability Analyzer's
// shapes. Failed, when set, is why the analysis could not run (its status
// becomes failed).
type PathFindings struct {
	Found        bool
	Forward      []PathComponent
	Return       []PathComponent
	Explanations []Explanation
	Failed       string
}

// NetworkInsightsPath is a source, a destination and a protocol to analyse.
type NetworkInsightsPath struct {
	NetworkInsightsPathID  string      `xml:"networkInsightsPathId" json:"id"`
	NetworkInsightsPathArn string      `xml:"networkInsightsPathArn" json:"arn"`
	CreatedDate            Timestamp   `xml:"createdDate" json:"created"`
	Source                 string      `xml:"source" json:"source"`
	Destination            string      `xml:"destination,omitempty" json:"destination,omitempty"`
	SourceArn              string      `xml:"sourceArn,omitempty" json:"sourceArn,omitempty"`
	DestinationArn         string      `xml:"destinationArn,omitempty" json:"destinationArn,omitempty"`
	SourceIP               string      `xml:"sourceIp,omitempty" json:"sourceIp,omitempty"`
	DestinationIP          string      `xml:"destinationIp,omitempty" json:"destinationIp,omitempty"`
	Protocol               string      `xml:"protocol" json:"protocol"`
	DestinationPort        *int32      `xml:"destinationPort,omitempty" json:"port,omitempty"`
	FilterAtSource         *PathFilter `xml:"filterAtSource,omitempty" json:"filterAtSource,omitempty"`
	FilterAtDestination    *PathFilter `xml:"filterAtDestination,omitempty" json:"filterAtDestination,omitempty"`
	Tags                   TagSet      `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// PathFilter narrows a path's packets (FilterAtSource, FilterAtDestination).
type PathFilter struct {
	SourceAddress        string           `ec2:"SourceAddress" xml:"sourceAddress,omitempty" json:"src,omitempty"`
	SourcePortRange      *FilterPortRange `ec2:"SourcePortRange" xml:"sourcePortRange,omitempty" json:"srcPorts,omitempty"`
	DestinationAddress   string           `ec2:"DestinationAddress" xml:"destinationAddress,omitempty" json:"dst,omitempty"`
	DestinationPortRange *FilterPortRange `ec2:"DestinationPortRange" xml:"destinationPortRange,omitempty" json:"dstPorts,omitempty"`
}

// FilterPortRange is a port range of a path filter.
type FilterPortRange struct {
	FromPort *int32 `ec2:"FromPort" xml:"fromPort,omitempty" json:"from,omitempty"`
	ToPort   *int32 `ec2:"ToPort" xml:"toPort,omitempty" json:"to,omitempty"`
}

// NetworkInsightsAnalysis is one analysis of a path.
type NetworkInsightsAnalysis struct {
	NetworkInsightsAnalysisID  string          `xml:"networkInsightsAnalysisId" json:"id"`
	NetworkInsightsAnalysisArn string          `xml:"networkInsightsAnalysisArn" json:"arn"`
	NetworkInsightsPathID      string          `xml:"networkInsightsPathId" json:"path"`
	AdditionalAccounts         []string        `xml:"additionalAccountSet>item" json:"accounts,omitempty"`
	FilterInArns               []string        `xml:"filterInArnSet>item" json:"filterIn,omitempty"`
	StartDate                  Timestamp       `xml:"startDate" json:"started"`
	Status                     string          `xml:"status" json:"-"`
	StatusMessage              string          `xml:"statusMessage,omitempty" json:"statusMessage,omitempty"`
	NetworkPathFound           *bool           `xml:"networkPathFound,omitempty" json:"-"`
	ForwardPathComponents      []PathComponent `xml:"forwardPathComponentSet>item" json:"-"`
	ReturnPathComponents       []PathComponent `xml:"returnPathComponentSet>item" json:"-"`
	Explanations               []Explanation   `xml:"explanationSet>item" json:"-"`
	Tags                       TagSet          `xml:"tagSet,omitempty" json:"tags,omitempty"`

	// Findings are stored whole and shown once the analysis has run.
	Findings *PathFindings `xml:"-" json:"findings,omitempty"`
	ReadyAt  time.Time     `xml:"-" json:"readyAt"`
}

// AnalysisComponent names a component: its ID and ARN.
type AnalysisComponent struct {
	ID   string `xml:"id" json:"id"`
	Arn  string `xml:"arn,omitempty" json:"arn,omitempty"`
	Name string `xml:"name,omitempty" json:"name,omitempty"`
}

// AnalysisACLRule is a network ACL entry on a path.
type AnalysisACLRule struct {
	Cidr       string     `xml:"cidr" json:"cidr"`
	Egress     bool       `xml:"egress" json:"egress"`
	PortRange  *PortRange `xml:"portRange,omitempty" json:"ports,omitempty"`
	Protocol   string     `xml:"protocol" json:"proto"`
	RuleAction string     `xml:"ruleAction" json:"action"`
	RuleNumber int32      `xml:"ruleNumber" json:"n"`
}

// AnalysisRouteTableRoute is a route on a path.
type AnalysisRouteTableRoute struct {
	DestinationCidr         string `xml:"destinationCidr,omitempty" json:"dst,omitempty"`
	DestinationPrefixListID string `xml:"destinationPrefixListId,omitempty" json:"pl,omitempty"`
	GatewayID               string `xml:"gatewayId,omitempty" json:"gw,omitempty"`
	InstanceID              string `xml:"instanceId,omitempty" json:"instance,omitempty"`
	NatGatewayID            string `xml:"natGatewayId,omitempty" json:"nat,omitempty"`
	NetworkInterfaceID      string `xml:"networkInterfaceId,omitempty" json:"eni,omitempty"`
	Origin                  string `xml:"origin,omitempty" json:"origin,omitempty"`
	State                   string `xml:"state,omitempty" json:"state,omitempty"`
}

// AnalysisSecurityGroupRule is a security group rule on a path.
type AnalysisSecurityGroupRule struct {
	Cidr            string     `xml:"cidr,omitempty" json:"cidr,omitempty"`
	Direction       string     `xml:"direction" json:"dir"`
	SecurityGroupID string     `xml:"securityGroupId" json:"sg"`
	PortRange       *PortRange `xml:"portRange,omitempty" json:"ports,omitempty"`
	PrefixListID    string     `xml:"prefixListId,omitempty" json:"pl,omitempty"`
	Protocol        string     `xml:"protocol" json:"proto"`
}

// AdditionalDetail is a fact about a component that did not block.
type AdditionalDetail struct {
	AdditionalDetailType string             `xml:"additionalDetailType" json:"type"`
	Component            *AnalysisComponent `xml:"component,omitempty" json:"component,omitempty"`
}

// PathComponent is one hop of a path.
type PathComponent struct {
	SequenceNumber    int32                      `xml:"sequenceNumber" json:"seq"`
	ACLRule           *AnalysisACLRule           `xml:"aclRule,omitempty" json:"acl,omitempty"`
	Component         *AnalysisComponent         `xml:"component,omitempty" json:"component,omitempty"`
	RouteTableRoute   *AnalysisRouteTableRoute   `xml:"routeTableRoute,omitempty" json:"route,omitempty"`
	SecurityGroupRule *AnalysisSecurityGroupRule `xml:"securityGroupRule,omitempty" json:"sgRule,omitempty"`
	Subnet            *AnalysisComponent         `xml:"subnet,omitempty" json:"subnet,omitempty"`
	Vpc               *AnalysisComponent         `xml:"vpc,omitempty" json:"vpc,omitempty"`
	AdditionalDetails []AdditionalDetail         `xml:"additionalDetailSet>item" json:"details,omitempty"`
	Explanations      []Explanation              `xml:"explanationSet>item" json:"explanations,omitempty"`
}

// Explanation says why a path is blocked, with the component involved in
// the field of its kind.
type Explanation struct {
	ExplanationCode string             `xml:"explanationCode" json:"code"`
	Direction       string             `xml:"direction,omitempty" json:"dir,omitempty"`
	Component       *AnalysisComponent `xml:"component,omitempty" json:"component,omitempty"`
	ACL             *AnalysisComponent `xml:"acl,omitempty" json:"acl,omitempty"`
	InternetGateway *AnalysisComponent `xml:"internetGateway,omitempty" json:"igw,omitempty"`
	NatGateway      *AnalysisComponent `xml:"natGateway,omitempty" json:"nat,omitempty"`
	RouteTable      *AnalysisComponent `xml:"routeTable,omitempty" json:"rtb,omitempty"`
	SecurityGroup   *AnalysisComponent `xml:"securityGroup,omitempty" json:"sg,omitempty"`
	Subnet          *AnalysisComponent `xml:"subnet,omitempty" json:"subnet,omitempty"`
	Vpc             *AnalysisComponent `xml:"vpc,omitempty" json:"vpc,omitempty"`
	VpcEndpoint     *AnalysisComponent `xml:"vpcEndpoint,omitempty" json:"vpce,omitempty"`
	// Message is vpce's explanation in words; AWS has no such field, so
	// it travels only in vpce's own outputs.
	Message string `xml:"-" json:"message,omitempty"`
}

// CreateNetworkInsightsPathInput is the input of CreateNetworkInsightsPath.
type CreateNetworkInsightsPathInput struct {
	Source              string             `ec2:"Source"`
	Destination         string             `ec2:"Destination"`
	SourceIP            string             `ec2:"SourceIp"`
	DestinationIP       string             `ec2:"DestinationIp"`
	Protocol            string             `ec2:"Protocol"`
	DestinationPort     *int32             `ec2:"DestinationPort"`
	FilterAtSource      *PathFilter        `ec2:"FilterAtSource"`
	FilterAtDestination *PathFilter        `ec2:"FilterAtDestination"`
	TagSpecifications   []TagSpecification `ec2:"TagSpecification"`
	ClientToken         string             `ec2:"ClientToken"`
}

// CreateNetworkInsightsPathOutput is the output of CreateNetworkInsightsPath.
type CreateNetworkInsightsPathOutput struct {
	NetworkInsightsPath *NetworkInsightsPath `xml:"networkInsightsPath"`
}

// resourceID accepts an ID or an ARN (…:instance/i-…) and returns the ID.
func resourceID(v string) string {
	if strings.HasPrefix(v, "arn:") {
		if i := strings.LastIndex(v, "/"); i >= 0 {
			return v[i+1:]
		}
	}
	return v
}

// insightsResources are the kinds a path may start or end at, with their
// ARN type, what is stored, and the not-found code.
var insightsResources = map[string]struct{ arnType, kind, code string }{
	"i":      {"instance", kindInstance, "InvalidInstanceID.NotFound"},
	"eni":    {"network-interface", kindENI, "InvalidNetworkInterfaceID.NotFound"},
	"igw":    {"internet-gateway", kindIGW, "InvalidInternetGatewayID.NotFound"},
	"vpce":   {"vpc-endpoint", kindEndpoint, "InvalidVpcEndpointId.NotFound"},
	"subnet": {"subnet", kindSubnet, "InvalidSubnetID.NotFound"},
}

// insightsResource checks a path's source or destination and returns its
// ID and ARN.
func (tx *txn) insightsResource(v, param string) (id, arn string, err error) {
	id = resourceID(v)
	prefix, _, ok := strings.Cut(id, "-")
	r, known := insightsResources[prefix]
	if !ok || !known {
		return "", "", invalidValue("The %s '%s' is not a resource vpce can analyse paths for: give an instance, network interface, internet gateway, VPC endpoint or subnet.", param, apierr.Clip(v))
	}
	if _, err := tx.Get(store.Key{Scope: tx.sc, Kind: r.kind, ID: id}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", "", apierr.New(r.code, "The ID '%s' does not exist", id)
		}
		return "", "", err
	}
	return id, fmt.Sprintf("arn:aws:ec2:%s:%s:%s/%s", tx.sc.Region, tx.sc.Account, r.arnType, id), nil
}

func validAddr(v, param string) error {
	if v == "" {
		return nil
	}
	if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
		return invalidValue("The %s '%s' is not a valid IPv4 address.", param, apierr.Clip(v))
	}
	return nil
}

// CreateNetworkInsightsPath records a path to analyse.
func (c *Cloud) CreateNetworkInsightsPath(ctx context.Context, sc Scope, in *CreateNetworkInsightsPathInput) (*CreateNetworkInsightsPathOutput, error) {
	switch {
	case in.Source == "":
		return nil, apierr.Missing("Source")
	case in.Protocol == "":
		return nil, apierr.Missing("Protocol")
	case in.Protocol != "tcp" && in.Protocol != "udp":
		return nil, invalidValue("Value (%s) for parameter protocol is invalid. Valid values: tcp, udp", apierr.Clip(in.Protocol))
	case in.Destination == "" && (in.FilterAtSource == nil || in.FilterAtSource.DestinationAddress == ""):
		// A DestinationIp alone is not enough (AWS's answer recorded in
		// hashicorp/terraform-provider-aws#38132).
		return nil, apierr.New("MissingParameter", "The request must include either the Destination parameter or the FilterAtSource.DestinationAddress parameter. Add the required parameter and retry the request.")
	}
	if in.DestinationPort != nil && (*in.DestinationPort < 0 || *in.DestinationPort > 65535) {
		return nil, invalidValue("Value (%d) for parameter destinationPort is invalid.", *in.DestinationPort)
	}
	for _, a := range [][2]string{{in.SourceIP, "SourceIp"}, {in.DestinationIP, "DestinationIp"}} {
		if err := validAddr(a[0], a[1]); err != nil {
			return nil, err
		}
	}
	for _, f := range []*PathFilter{in.FilterAtSource, in.FilterAtDestination} {
		if f == nil {
			continue
		}
		if err := validAddr(f.SourceAddress, "SourceAddress"); err != nil {
			return nil, err
		}
		if err := validAddr(f.DestinationAddress, "DestinationAddress"); err != nil {
			return nil, err
		}
	}
	tags, err := tagsFor(in.TagSpecifications, "network-insights-path")
	if err != nil {
		return nil, err
	}
	out := &CreateNetworkInsightsPathOutput{}
	err = c.update(ctx, sc, func(tx *txn) error {
		return tx.idempotent("CreateNetworkInsightsPath", in.ClientToken, in, &out.NetworkInsightsPath, func() (any, error) {
			p := &NetworkInsightsPath{NetworkInsightsPathID: newID("nip"), CreatedDate: Timestamp(tx.now), Protocol: in.Protocol,
				SourceIP: in.SourceIP, DestinationIP: in.DestinationIP, DestinationPort: in.DestinationPort,
				FilterAtSource: in.FilterAtSource, FilterAtDestination: in.FilterAtDestination, Tags: tags["network-insights-path"]}
			p.NetworkInsightsPathArn = fmt.Sprintf("arn:aws:ec2:%s:%s:network-insights-path/%s", tx.sc.Region, tx.sc.Account, p.NetworkInsightsPathID)
			var err error
			if p.Source, p.SourceArn, err = tx.insightsResource(in.Source, "Source"); err != nil {
				return nil, err
			}
			if in.Destination != "" {
				if p.Destination, p.DestinationArn, err = tx.insightsResource(in.Destination, "Destination"); err != nil {
					return nil, err
				}
			}
			return p, putObj(tx, kindInsightsPath, p.NetworkInsightsPathID, p)
		})
	})
	return out, err
}

// DescribeNetworkInsightsPathsInput is the input of DescribeNetworkInsightsPaths.
type DescribeNetworkInsightsPathsInput struct {
	NetworkInsightsPathIDs []string `ec2:"NetworkInsightsPathId"`
	Filters                []Filter `ec2:"Filter"`
	Page
}

// DescribeNetworkInsightsPathsOutput is the output of DescribeNetworkInsightsPaths.
type DescribeNetworkInsightsPathsOutput struct {
	NetworkInsightsPaths []*NetworkInsightsPath `xml:"networkInsightsPathSet>item"`
	NextToken            string                 `xml:"nextToken,omitempty"`
}

var pathFields = fields[NetworkInsightsPath]{
	"network-insights-path-id": func(p *NetworkInsightsPath) []string { return one(p.NetworkInsightsPathID) },
	"source":                   func(p *NetworkInsightsPath) []string { return one(p.Source) },
	"destination":              func(p *NetworkInsightsPath) []string { return one(p.Destination) },
	"destination-ip":           func(p *NetworkInsightsPath) []string { return one(p.DestinationIP) },
	"source-ip":                func(p *NetworkInsightsPath) []string { return one(p.SourceIP) },
	"protocol":                 func(p *NetworkInsightsPath) []string { return one(p.Protocol) },
	"destination-port": func(p *NetworkInsightsPath) []string {
		if p.DestinationPort == nil {
			return nil
		}
		return one(port(*p.DestinationPort))
	},
}

func pathID(p *NetworkInsightsPath) string     { return p.NetworkInsightsPathID }
func pathTags(p *NetworkInsightsPath) []Tag    { return p.Tags }
func pathTags2(p *NetworkInsightsPath) *TagSet { return &p.Tags }

// DescribeNetworkInsightsPaths lists paths.
func (c *Cloud) DescribeNetworkInsightsPaths(ctx context.Context, sc Scope, in *DescribeNetworkInsightsPathsInput) (*DescribeNetworkInsightsPathsOutput, error) {
	out := &DescribeNetworkInsightsPathsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		all, err := narrow[NetworkInsightsPath](tx, kindInsightsPath, in.NetworkInsightsPathIDs, in.Filters, "")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, pathID, in.NetworkInsightsPathIDs, func(id string) error {
			return apierr.New("InvalidNetworkInsightsPathId.NotFound", "The networkInsightsPath ID '%s' does not exist", apierr.Clip(id))
		}); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, pathFields, pathTags); err != nil {
			return err
		}
		out.NetworkInsightsPaths, out.NextToken, err = paginate(all, pathID, in.Page, 1, 100)
		return err
	})
	return out, err
}

// DeleteNetworkInsightsPathInput is the input of DeleteNetworkInsightsPath.
type DeleteNetworkInsightsPathInput struct {
	NetworkInsightsPathID string `ec2:"NetworkInsightsPathId,required"`
}

// DeleteNetworkInsightsPathOutput is the output of DeleteNetworkInsightsPath.
type DeleteNetworkInsightsPathOutput struct {
	NetworkInsightsPathID string `xml:"networkInsightsPathId"`
}

func (tx *txn) insightsPath(id string) (*NetworkInsightsPath, error) {
	return getOr[NetworkInsightsPath](tx, kindInsightsPath, id, func() error {
		return apierr.New("InvalidNetworkInsightsPathId.NotFound", "The networkInsightsPath ID '%s' does not exist", apierr.Clip(id))
	})
}

// DeleteNetworkInsightsPath deletes a path; a path with analyses is in use.
func (c *Cloud) DeleteNetworkInsightsPath(ctx context.Context, sc Scope, in *DeleteNetworkInsightsPathInput) (*DeleteNetworkInsightsPathOutput, error) {
	out := &DeleteNetworkInsightsPathOutput{NetworkInsightsPathID: in.NetworkInsightsPathID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		if _, err := tx.insightsPath(in.NetworkInsightsPathID); err != nil {
			return err
		}
		as, err := listChildren[NetworkInsightsAnalysis](tx, kindInsightsAnalysis, in.NetworkInsightsPathID)
		if err != nil {
			return err
		}
		if len(as) > 0 {
			// AWS's words, as a Terraform user recorded them
			// (hashicorp/terraform-provider-aws#28330).
			ids := make([]string, len(as))
			for i, a := range as {
				ids[i] = a.NetworkInsightsAnalysisID
			}
			return apierr.New("AnalysisExistsForNetworkInsightsPath", "At least one analysis [%s] exists for path %s. Delete all the analyses before deleting this network path.",
				strings.Join(ids, ", "), in.NetworkInsightsPathID)
		}
		return delObj(tx, kindInsightsPath, in.NetworkInsightsPathID)
	})
}

// StartNetworkInsightsAnalysisInput is the input of StartNetworkInsightsAnalysis.
type StartNetworkInsightsAnalysisInput struct {
	NetworkInsightsPathID string             `ec2:"NetworkInsightsPathId,required"`
	AdditionalAccounts    []string           `ec2:"AdditionalAccount"`
	FilterInArns          []string           `ec2:"FilterInArn"`
	FilterOutArns         []string           `ec2:"FilterOutArn"`
	TagSpecifications     []TagSpecification `ec2:"TagSpecification"`
	ClientToken           string             `ec2:"ClientToken"`
}

// StartNetworkInsightsAnalysisOutput is the output of StartNetworkInsightsAnalysis.
type StartNetworkInsightsAnalysisOutput struct {
	NetworkInsightsAnalysis *NetworkInsightsAnalysis `xml:"networkInsightsAnalysis"`
}

func (a *NetworkInsightsAnalysis) parentID() string { return a.NetworkInsightsPathID }

// render shows the analysis as of now: running until its time, then
// succeeded (or failed) with its findings.
func (a *NetworkInsightsAnalysis) render(now time.Time) {
	a.Status, a.NetworkPathFound, a.ForwardPathComponents, a.ReturnPathComponents, a.Explanations = "running", nil, nil, nil, nil
	if now.Before(a.ReadyAt) || a.Findings == nil {
		return
	}
	f := a.Findings
	if f.Failed != "" {
		a.Status, a.StatusMessage = "failed", f.Failed
		return
	}
	a.Status = "succeeded"
	found := f.Found
	a.NetworkPathFound = &found
	a.ForwardPathComponents, a.ReturnPathComponents, a.Explanations = f.Forward, f.Return, f.Explanations
}

// StartNetworkInsightsAnalysis analyses a path over the state as it is now.
// The answer is running; Describe shows the findings once it has run
// (after the provisioning delay, as AWS takes seconds).
func (c *Cloud) StartNetworkInsightsAnalysis(ctx context.Context, sc Scope, in *StartNetworkInsightsAnalysisInput) (*StartNetworkInsightsAnalysisOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "network-insights-analysis")
	if err != nil {
		return nil, err
	}
	var path *NetworkInsightsPath
	if err := c.view(ctx, sc, func(tx *txn) error {
		var err error
		path, err = tx.insightsPath(in.NetworkInsightsPathID)
		return err
	}); err != nil {
		return nil, err
	}
	findings := &PathFindings{Failed: "path analysis is not available in this server"}
	if c.paths != nil {
		snap, err := c.LinkedSnapshot(ctx, sc)
		if err != nil {
			return nil, err
		}
		if findings, err = c.paths.AnalyzePath(snap, path); err != nil {
			return nil, internal(err)
		}
	}
	out := &StartNetworkInsightsAnalysisOutput{}
	err = c.update(ctx, sc, func(tx *txn) error {
		return tx.idempotent("StartNetworkInsightsAnalysis", in.ClientToken, in, &out.NetworkInsightsAnalysis, func() (any, error) {
			if _, err := tx.insightsPath(in.NetworkInsightsPathID); err != nil {
				return nil, err // deleted meanwhile
			}
			a := &NetworkInsightsAnalysis{NetworkInsightsAnalysisID: newID("nia"), NetworkInsightsPathID: path.NetworkInsightsPathID,
				AdditionalAccounts: in.AdditionalAccounts, FilterInArns: in.FilterInArns, StartDate: Timestamp(tx.now),
				Tags: tags["network-insights-analysis"], Findings: findings, ReadyAt: tx.now.Add(tx.c.delay)}
			a.NetworkInsightsAnalysisArn = fmt.Sprintf("arn:aws:ec2:%s:%s:network-insights-analysis/%s", tx.sc.Region, tx.sc.Account, a.NetworkInsightsAnalysisID)
			if err := putObj(tx, kindInsightsAnalysis, a.NetworkInsightsAnalysisID, a); err != nil {
				return nil, err
			}
			a.render(tx.now)
			return a, nil
		})
	})
	return out, err
}

// DescribeNetworkInsightsAnalysesInput is the input of DescribeNetworkInsightsAnalyses.
type DescribeNetworkInsightsAnalysesInput struct {
	NetworkInsightsAnalysisIDs []string `ec2:"NetworkInsightsAnalysisId"`
	NetworkInsightsPathID      string   `ec2:"NetworkInsightsPathId"`
	AnalysisStartTime          string   `ec2:"AnalysisStartTime"`
	AnalysisEndTime            string   `ec2:"AnalysisEndTime"`
	Filters                    []Filter `ec2:"Filter"`
	Page
}

// DescribeNetworkInsightsAnalysesOutput is the output of DescribeNetworkInsightsAnalyses.
type DescribeNetworkInsightsAnalysesOutput struct {
	NetworkInsightsAnalyses []*NetworkInsightsAnalysis `xml:"networkInsightsAnalysisSet>item"`
	NextToken               string                     `xml:"nextToken,omitempty"`
}

var analysisFields = fields[NetworkInsightsAnalysis]{
	"network-insights-analysis-id": func(a *NetworkInsightsAnalysis) []string { return one(a.NetworkInsightsAnalysisID) },
	"network-insights-path-id":     func(a *NetworkInsightsAnalysis) []string { return one(a.NetworkInsightsPathID) },
	"status":                       func(a *NetworkInsightsAnalysis) []string { return one(a.Status) },
	"path-found": func(a *NetworkInsightsAnalysis) []string {
		if a.NetworkPathFound == nil {
			return nil
		}
		return one(fmt.Sprint(*a.NetworkPathFound))
	},
}

func analysisID(a *NetworkInsightsAnalysis) string  { return a.NetworkInsightsAnalysisID }
func analysisTags(a *NetworkInsightsAnalysis) []Tag { return a.Tags }

// DescribeNetworkInsightsAnalyses lists analyses with their findings.
func (c *Cloud) DescribeNetworkInsightsAnalyses(ctx context.Context, sc Scope, in *DescribeNetworkInsightsAnalysesInput) (*DescribeNetworkInsightsAnalysesOutput, error) {
	from, err := parseTime(in.AnalysisStartTime, "AnalysisStartTime")
	if err != nil {
		return nil, err
	}
	to, err := parseTime(in.AnalysisEndTime, "AnalysisEndTime")
	if err != nil {
		return nil, err
	}
	out := &DescribeNetworkInsightsAnalysesOutput{}
	err = c.view(ctx, sc, func(tx *txn) error {
		var all []*NetworkInsightsAnalysis
		var err error
		if in.NetworkInsightsPathID != "" {
			all, err = listChildren[NetworkInsightsAnalysis](tx, kindInsightsAnalysis, in.NetworkInsightsPathID)
		} else {
			all, err = narrow[NetworkInsightsAnalysis](tx, kindInsightsAnalysis, in.NetworkInsightsAnalysisIDs, in.Filters, "")
		}
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, analysisID, in.NetworkInsightsAnalysisIDs, func(id string) error {
			return apierr.New("InvalidNetworkInsightsAnalysisId.NotFound", "The networkInsightsAnalysis ID '%s' does not exist", apierr.Clip(id))
		}); err != nil {
			return err
		}
		kept := all[:0]
		for _, a := range all {
			st := a.StartDate.Time()
			if (!from.IsZero() && st.Before(from)) || (!to.IsZero() && st.After(to)) {
				continue
			}
			a.render(tx.now)
			kept = append(kept, a)
		}
		if all, err = filter(ctx, kept, in.Filters, analysisFields, analysisTags); err != nil {
			return err
		}
		out.NetworkInsightsAnalyses, out.NextToken, err = paginate(all, analysisID, in.Page, 1, 100)
		return err
	})
	return out, err
}

// parseTime reads a timestamp parameter: ISO 8601 as the SDKs send it, or
// seconds since the epoch.
func parseTime(v, param string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Unix(int64(n), 0).UTC(), nil
	}
	return time.Time{}, invalidValue("Value (%s) for parameter %s is invalid. Expected a timestamp.", apierr.Clip(v), param)
}

// DeleteNetworkInsightsAnalysisInput is the input of DeleteNetworkInsightsAnalysis.
type DeleteNetworkInsightsAnalysisInput struct {
	NetworkInsightsAnalysisID string `ec2:"NetworkInsightsAnalysisId,required"`
}

// DeleteNetworkInsightsAnalysisOutput is the output of DeleteNetworkInsightsAnalysis.
type DeleteNetworkInsightsAnalysisOutput struct {
	NetworkInsightsAnalysisID string `xml:"networkInsightsAnalysisId"`
}

// DeleteNetworkInsightsAnalysis deletes an analysis.
func (c *Cloud) DeleteNetworkInsightsAnalysis(ctx context.Context, sc Scope, in *DeleteNetworkInsightsAnalysisInput) (*DeleteNetworkInsightsAnalysisOutput, error) {
	out := &DeleteNetworkInsightsAnalysisOutput{NetworkInsightsAnalysisID: in.NetworkInsightsAnalysisID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		_, err := getOr[NetworkInsightsAnalysis](tx, kindInsightsAnalysis, in.NetworkInsightsAnalysisID, func() error {
			return apierr.New("InvalidNetworkInsightsAnalysisId.NotFound", "The networkInsightsAnalysis ID '%s' does not exist", apierr.Clip(in.NetworkInsightsAnalysisID))
		})
		if err != nil {
			return err
		}
		return delObj(tx, kindInsightsAnalysis, in.NetworkInsightsAnalysisID)
	})
}
