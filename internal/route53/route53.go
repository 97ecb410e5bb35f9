// Package route53 serves the Route 53 API's private hosted zone actions
// (REST-XML under /2013-04-01/) over the domain's hosted zones, so the
// aws CLI, SDKs and Terraform can create zones, records and VPC
// associations that the VPC resolvers then answer from.
package route53

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
)

// Namespace is the XML namespace of Route 53's documents.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// Service is the name Route 53 requests are signed for.
const Service = "route53"

// maxBody bounds a request document.
const maxBody = 1 << 20

// Authenticator finds the account of a request signed for a service (and
// verifies the signature when auth is on).
type Authenticator func(r *http.Request, body []byte, service string) (account string, err error)

// Handler serves the Route 53 API.
type Handler struct {
	c    *cloud.Cloud
	auth Authenticator
}

// New returns the Route 53 handler over a cloud.
func New(c *cloud.Cloud, auth Authenticator) *Handler { return &Handler{c: c, auth: auth} }

// ServeHTTP routes a Route 53 request by method and path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, err)
		return
	}
	if len(body) > maxBody {
		writeError(w, &apierr.Error{Code: "InvalidInput", Message: "The request document is too large.", Status: http.StatusRequestEntityTooLarge})
		return
	}
	account, err := h.auth(r, body, Service)
	if err != nil {
		writeError(w, err)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/2013-04-01/"), "/"), "/")
	q := r.URL.Query()
	ctx := r.Context()
	switch {
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "hostedzone":
		var in struct {
			Name             string
			CallerReference  string
			VPC              vpc
			HostedZoneConfig struct {
				Comment     string
				PrivateZone bool
			}
			DelegationSetID string `xml:"DelegationSetId"`
		}
		if !decode(w, body, &in) {
			return
		}
		z, ch, err := h.c.CreateHostedZone(ctx, account, in.Name, in.CallerReference, in.HostedZoneConfig.Comment, in.HostedZoneConfig.PrivateZone, in.VPC.zoneVPC())
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("Location", "https://route53.amazonaws.com/2013-04-01/hostedzone/"+z.ID)
		write(w, http.StatusCreated, "CreateHostedZoneResponse", struct {
			HostedZone hostedZone
			ChangeInfo changeInfo
			VPC        vpc
		}{zoneOut(z), changeOut(ch), in.VPC})
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "hostedzone":
		zones, err := h.c.ListHostedZones(ctx, account)
		if err != nil {
			writeError(w, err)
			return
		}
		max := 100
		if v, err := strconv.Atoi(q.Get("maxitems")); err == nil && v > 0 && v < max {
			max = v
		}
		if m := q.Get("marker"); m != "" {
			i := slices.IndexFunc(zones, func(z *cloud.HostedZone) bool { return z.ID == m })
			if i < 0 {
				writeError(w, &apierr.Error{Code: "InvalidInput", Message: "The marker " + m + " is not valid.", Status: http.StatusBadRequest})
				return
			}
			zones = zones[i:]
		}
		out := struct {
			HostedZones []hostedZone `xml:"HostedZones>HostedZone"`
			Marker      string       `xml:"Marker,omitempty"`
			IsTruncated bool
			NextMarker  string `xml:"NextMarker,omitempty"`
			MaxItems    int
		}{HostedZones: []hostedZone{}, Marker: q.Get("marker"), MaxItems: max}
		for i, z := range zones {
			if i == max {
				out.IsTruncated, out.NextMarker = true, z.ID
				break
			}
			out.HostedZones = append(out.HostedZones, zoneOut(z))
		}
		write(w, http.StatusOK, "ListHostedZonesResponse", out)
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "hostedzonesbyvpc":
		zones, err := h.c.ListHostedZonesByVPC(ctx, account, cloud.ZoneVPC{VPCID: q.Get("vpcid"), VPCRegion: q.Get("vpcregion")})
		if err != nil {
			writeError(w, err)
			return
		}
		type summary struct {
			HostedZoneID string `xml:"HostedZoneId"`
			Name         string
			Owner        struct {
				OwningAccount string
			}
		}
		out := struct {
			HostedZoneSummaries []summary `xml:"HostedZoneSummaries>HostedZoneSummary"`
			MaxItems            int
		}{HostedZoneSummaries: []summary{}, MaxItems: 100}
		for _, z := range zones {
			s := summary{HostedZoneID: z.ID, Name: z.Name}
			s.Owner.OwningAccount = z.Owner
			out.HostedZoneSummaries = append(out.HostedZoneSummaries, s)
		}
		write(w, http.StatusOK, "ListHostedZonesByVPCResponse", out)
	case len(parts) == 2 && parts[0] == "hostedzone" && r.Method == http.MethodGet:
		z, err := h.c.GetHostedZone(ctx, account, parts[1])
		if err != nil {
			writeError(w, err)
			return
		}
		out := struct {
			HostedZone hostedZone
			VPCs       []vpc `xml:"VPCs>VPC"`
		}{HostedZone: zoneOut(z)}
		for _, v := range z.VPCs {
			out.VPCs = append(out.VPCs, vpc{VPCRegion: v.VPCRegion, VPCID: v.VPCID})
		}
		write(w, http.StatusOK, "GetHostedZoneResponse", out)
	case len(parts) == 2 && parts[0] == "hostedzone" && r.Method == http.MethodDelete:
		ch, err := h.c.DeleteHostedZone(ctx, account, parts[1])
		if err != nil {
			writeError(w, err)
			return
		}
		write(w, http.StatusOK, "DeleteHostedZoneResponse", struct{ ChangeInfo changeInfo }{changeOut(ch)})
	case len(parts) == 3 && parts[0] == "hostedzone" && parts[2] == "rrset" && r.Method == http.MethodPost:
		var in struct {
			ChangeBatch struct {
				Comment string
				Changes []struct {
					Action            string
					ResourceRecordSet recordSet
				} `xml:"Changes>Change"`
			}
		}
		if !decode(w, body, &in) {
			return
		}
		var changes []cloud.Change
		for _, c := range in.ChangeBatch.Changes {
			changes = append(changes, cloud.Change{Action: c.Action, Set: c.ResourceRecordSet.model()})
		}
		ch, err := h.c.ChangeResourceRecordSets(ctx, account, parts[1], changes)
		if err != nil {
			writeError(w, err)
			return
		}
		write(w, http.StatusOK, "ChangeResourceRecordSetsResponse", struct{ ChangeInfo changeInfo }{changeOut(ch)})
	case len(parts) == 3 && parts[0] == "hostedzone" && parts[2] == "rrset" && r.Method == http.MethodGet:
		z, err := h.c.GetHostedZone(ctx, account, parts[1])
		if err != nil {
			writeError(w, err)
			return
		}
		sets := slices.Clone(z.Records)
		slices.SortStableFunc(sets, func(a, b cloud.RecordSet) int {
			return strings.Compare(reverseName(a.Name)+" "+a.Type, reverseName(b.Name)+" "+b.Type)
		})
		out := struct {
			ResourceRecordSets []recordSet `xml:"ResourceRecordSets>ResourceRecordSet"`
			IsTruncated        bool
			MaxItems           int
		}{ResourceRecordSets: []recordSet{}, MaxItems: 300}
		for _, s := range sets {
			out.ResourceRecordSets = append(out.ResourceRecordSets, setOut(s))
		}
		write(w, http.StatusOK, "ListResourceRecordSetsResponse", out)
	case len(parts) == 3 && parts[0] == "hostedzone" && r.Method == http.MethodPost &&
		(parts[2] == "associatevpc" || parts[2] == "disassociatevpc" || parts[2] == "authorizevpcassociation"):
		var in struct {
			VPC     vpc
			Comment string
		}
		if !decode(w, body, &in) {
			return
		}
		switch parts[2] {
		case "associatevpc":
			ch, err := h.c.AssociateVPCWithHostedZone(ctx, account, parts[1], in.VPC.zoneVPC())
			if err != nil {
				writeError(w, err)
				return
			}
			write(w, http.StatusOK, "AssociateVPCWithHostedZoneResponse", struct{ ChangeInfo changeInfo }{changeOut(ch)})
		case "disassociatevpc":
			ch, err := h.c.DisassociateVPCFromHostedZone(ctx, account, parts[1], in.VPC.zoneVPC())
			if err != nil {
				writeError(w, err)
				return
			}
			write(w, http.StatusOK, "DisassociateVPCFromHostedZoneResponse", struct{ ChangeInfo changeInfo }{changeOut(ch)})
		default:
			z, err := h.c.CreateVPCAssociationAuthorization(ctx, account, parts[1], in.VPC.zoneVPC())
			if err != nil {
				writeError(w, err)
				return
			}
			write(w, http.StatusOK, "CreateVPCAssociationAuthorizationResponse", struct {
				HostedZoneID string `xml:"HostedZoneId"`
				VPC          vpc
			}{z.ID, in.VPC})
		}
	case len(parts) == 2 && parts[0] == "change" && r.Method == http.MethodGet:
		// Every change is in sync when it is answered.
		write(w, http.StatusOK, "GetChangeResponse", struct{ ChangeInfo changeInfo }{changeInfo{ID: "/change/" + strings.TrimPrefix(parts[1], "/change/"),
			Status: "INSYNC", SubmittedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}})
	case len(parts) == 3 && parts[0] == "tags" && parts[1] == "hostedzone" && r.Method == http.MethodGet:
		z, err := h.c.GetHostedZone(ctx, account, parts[2])
		if err != nil {
			writeError(w, err)
			return
		}
		type tag struct{ Key, Value string }
		out := struct {
			ResourceTagSet struct {
				ResourceType string
				ResourceID   string `xml:"ResourceId"`
				Tags         []tag  `xml:"Tags>Tag"`
			}
		}{}
		out.ResourceTagSet.ResourceType, out.ResourceTagSet.ResourceID, out.ResourceTagSet.Tags = "hostedzone", z.ID, []tag{}
		for _, t := range z.Tags {
			out.ResourceTagSet.Tags = append(out.ResourceTagSet.Tags, tag{t.Key, t.Value})
		}
		write(w, http.StatusOK, "ListTagsForResourceResponse", out)
	case len(parts) == 3 && parts[0] == "tags" && parts[1] == "hostedzone" && r.Method == http.MethodPost:
		var in struct {
			AddTags       []struct{ Key, Value string } `xml:"AddTags>Tag"`
			RemoveTagKeys []string                      `xml:"RemoveTagKeys>Key"`
		}
		if !decode(w, body, &in) {
			return
		}
		var add []cloud.Tag
		for _, t := range in.AddTags {
			add = append(add, cloud.Tag{Key: t.Key, Value: t.Value})
		}
		if err := h.c.ChangeZoneTags(ctx, account, parts[2], add, in.RemoveTagKeys); err != nil {
			writeError(w, err)
			return
		}
		write(w, http.StatusOK, "ChangeTagsForResourceResponse", struct{}{})
	default:
		writeError(w, &apierr.Error{Code: "InvalidAction", Message: fmt.Sprintf("%s %s is not a Route 53 action vpce serves (private hosted zones only).", r.Method, r.URL.Path), Status: http.StatusBadRequest})
	}
}

// reverseName orders names as Route 53 lists them: by labels from the
// right.
func reverseName(n string) string {
	ls := strings.Split(strings.TrimSuffix(n, "."), ".")
	slices.Reverse(ls)
	return strings.Join(ls, ".")
}

type vpc struct {
	VPCRegion string `xml:"VPCRegion"`
	VPCID     string `xml:"VPCId"`
}

func (v vpc) zoneVPC() cloud.ZoneVPC { return cloud.ZoneVPC{VPCRegion: v.VPCRegion, VPCID: v.VPCID} }

type hostedZone struct {
	ID              string `xml:"Id"`
	Name            string
	CallerReference string
	Config          struct {
		Comment     string `xml:"Comment,omitempty"`
		PrivateZone bool
	}
	ResourceRecordSetCount int
}

func zoneOut(z *cloud.HostedZone) hostedZone {
	o := hostedZone{ID: "/hostedzone/" + z.ID, Name: z.Name, CallerReference: z.CallerReference, ResourceRecordSetCount: len(z.Records)}
	o.Config.Comment, o.Config.PrivateZone = z.Comment, true
	return o
}

type changeInfo struct {
	ID          string `xml:"Id"`
	Status      string
	SubmittedAt string
}

func changeOut(c cloud.ZoneChange) changeInfo {
	return changeInfo{ID: "/change/" + c.ID, Status: "INSYNC", SubmittedAt: c.SubmittedAt.Time().UTC().Format("2006-01-02T15:04:05.000Z")}
}

type recordSet struct {
	Name            string
	Type            string
	TTL             int64            `xml:"TTL,omitempty"`
	ResourceRecords []resourceRecord `xml:"ResourceRecords>ResourceRecord,omitempty"`
	AliasTarget     *struct {
		HostedZoneID         string `xml:"HostedZoneId"`
		DNSName              string `xml:"DNSName"`
		EvaluateTargetHealth bool
	} `xml:"AliasTarget,omitempty"`
}

// resourceRecord is one value of a record set.
type resourceRecord struct {
	Value string
}

func (s recordSet) model() cloud.RecordSet {
	out := cloud.RecordSet{Name: s.Name, Type: s.Type, TTL: s.TTL}
	for _, r := range s.ResourceRecords {
		out.Values = append(out.Values, r.Value)
	}
	if s.AliasTarget != nil {
		out.Alias = &cloud.AliasTarget{HostedZoneID: s.AliasTarget.HostedZoneID, DNSName: s.AliasTarget.DNSName, EvaluateTargetHealth: s.AliasTarget.EvaluateTargetHealth}
	}
	return out
}

func setOut(s cloud.RecordSet) recordSet {
	out := recordSet{Name: s.Name, Type: s.Type, TTL: s.TTL}
	for _, v := range s.Values {
		out.ResourceRecords = append(out.ResourceRecords, resourceRecord{v})
	}
	if s.Alias != nil {
		out.TTL = 0
		out.AliasTarget = &struct {
			HostedZoneID         string `xml:"HostedZoneId"`
			DNSName              string `xml:"DNSName"`
			EvaluateTargetHealth bool
		}{s.Alias.HostedZoneID, s.Alias.DNSName, s.Alias.EvaluateTargetHealth}
	}
	return out
}

// decode reads a request document; a malformed one is answered.
func decode(w http.ResponseWriter, body []byte, v any) bool {
	if err := xml.Unmarshal(body, v); err != nil {
		writeError(w, &apierr.Error{Code: "InvalidInput", Message: "The request document is not valid XML: " + err.Error(), Status: http.StatusBadRequest})
		return false
	}
	return true
}

// write answers a document under a root element in Route 53's namespace.
func write(w http.ResponseWriter, status int, root string, v any) {
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{Name: xml.Name{Local: root}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}
	if err := enc.EncodeElement(v, start); err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", ec2query.NewRequestID())
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

// writeError answers an error as Route 53 does: ErrorResponse with the
// error's type (Sender for 4xx), code and message.
func writeError(w http.ResponseWriter, err error) {
	e, ok := apierr.As(err)
	if !ok {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			e = ae
		} else {
			e = &apierr.Error{Code: "InternalFailure", Message: "An internal error has occurred", Status: http.StatusInternalServerError}
		}
	}
	typ := "Sender"
	if e.HTTPStatus() >= 500 {
		typ = "Receiver"
	}
	var b strings.Builder
	xml.EscapeText(&b, []byte(e.Message))
	id := ec2query.NewRequestID()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", id)
	w.WriteHeader(e.HTTPStatus())
	fmt.Fprintf(w, `<?xml version="1.0"?>`+"\n"+`<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		Namespace, typ, e.Code, b.String(), id)
}
