package reach

import "slices"

// Matrix is a whole VPC at a glance: every subnet against every service
// that has an endpoint in the VPC, plus the ones private subnets usually
// need (SSM's three, S3, DynamoDB).
type Matrix struct {
	VpcID    string   `json:"vpcId"`
	Services []string `json:"services"`
	Rows     []Row    `json:"rows"`
}

// Row is one subnet's verdicts, in the order of Matrix.Services.
type Row struct {
	SubnetID string `json:"subnetId"`
	Zone     string `json:"availabilityZone"`
	CIDR     string `json:"cidr"`
	Cells    []Cell `json:"cells"`
}

// Cell is one subnet × service verdict; Code is the first explanation
// when blocked.
type Cell struct {
	Verdict string `json:"verdict"`
	Code    string `json:"code,omitempty"`
}

// matrixServices are always in a matrix: what Session Manager and most
// private workloads need.
var matrixServices = []string{"ssm", "ssmmessages", "ec2messages", "s3", "dynamodb"}

// Matrix analyses every subnet of a VPC against its services on TCP 443,
// each subnet standing for a new interface in it without security groups.
func (a *Analyzer) Matrix(vpcID string) (*Matrix, error) {
	s := a.snap
	if s.Home().Vpcs[vpcID] == nil {
		return nil, inputErr("VPC %s does not exist in %s/%s", vpcID, s.Scope.Account, s.Scope.Region)
	}
	region := s.Scope.Region
	var svcs []string
	for _, short := range matrixServices {
		if _, ok := serviceByName(region, "com.amazonaws."+region+"."+short); ok {
			svcs = append(svcs, "com.amazonaws."+region+"."+short)
		}
	}
	var extra []string
	for _, e := range s.EndpointsOf(vpcID) {
		if !slices.Contains(svcs, e.ServiceName) && !slices.Contains(extra, e.ServiceName) {
			if _, ok := serviceByName(region, e.ServiceName); ok {
				extra = append(extra, e.ServiceName)
			}
		}
	}
	slices.Sort(extra)
	m := &Matrix{VpcID: vpcID, Services: append(svcs, extra...), Rows: []Row{}}
	for _, sn := range s.SubnetsOf(vpcID) {
		row := Row{SubnetID: sn.SubnetID, Zone: sn.AvailabilityZone, CIDR: sn.CidrBlock.String(), Cells: make([]Cell, len(m.Services))}
		for i, svc := range m.Services {
			r, err := a.Analyze(Query{From: sn.SubnetID, To: svc})
			if err != nil {
				return nil, err
			}
			row.Cells[i] = Cell{Verdict: r.Verdict}
			if len(r.Explanations) > 0 {
				row.Cells[i].Code = r.Explanations[0].Code
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}
