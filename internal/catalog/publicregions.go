package catalog

// PublicRegion is a region of AWS's commercial partition as DescribeRegions
// lists it, whether or not vpce has its zones.
type PublicRegion struct {
	Name     string
	LongName string
	// OptIn: the region is disabled until the account opts in (the
	// regions launched after March 2019); the others are enabled in every
	// account.
	OptIn bool
}

// publicRegions are the regions of the aws partition in botocore's
// endpoints.json (commit 0e6e2404b85d, 2026-08-07), with AWS's rule that
// the 17 regions launched before March 2019 are enabled by default.
var publicRegions = []PublicRegion{
	{"af-south-1", "Africa (Cape Town)", true},
	{"ap-east-1", "Asia Pacific (Hong Kong)", true},
	{"ap-east-2", "Asia Pacific (Taipei)", true},
	{"ap-northeast-1", "Asia Pacific (Tokyo)", false},
	{"ap-northeast-2", "Asia Pacific (Seoul)", false},
	{"ap-northeast-3", "Asia Pacific (Osaka)", false},
	{"ap-south-1", "Asia Pacific (Mumbai)", false},
	{"ap-south-2", "Asia Pacific (Hyderabad)", true},
	{"ap-southeast-1", "Asia Pacific (Singapore)", false},
	{"ap-southeast-2", "Asia Pacific (Sydney)", false},
	{"ap-southeast-3", "Asia Pacific (Jakarta)", true},
	{"ap-southeast-4", "Asia Pacific (Melbourne)", true},
	{"ap-southeast-5", "Asia Pacific (Malaysia)", true},
	{"ap-southeast-6", "Asia Pacific (New Zealand)", true},
	{"ap-southeast-7", "Asia Pacific (Thailand)", true},
	{"ca-central-1", "Canada (Central)", false},
	{"ca-west-1", "Canada West (Calgary)", true},
	{"eu-central-1", "Europe (Frankfurt)", false},
	{"eu-central-2", "Europe (Zurich)", true},
	{"eu-north-1", "Europe (Stockholm)", false},
	{"eu-south-1", "Europe (Milan)", true},
	{"eu-south-2", "Europe (Spain)", true},
	{"eu-west-1", "Europe (Ireland)", false},
	{"eu-west-2", "Europe (London)", false},
	{"eu-west-3", "Europe (Paris)", false},
	{"il-central-1", "Israel (Tel Aviv)", true},
	{"me-central-1", "Middle East (UAE)", true},
	{"me-south-1", "Middle East (Bahrain)", true},
	{"mx-central-1", "Mexico (Central)", true},
	{"sa-east-1", "South America (Sao Paulo)", false},
	{"us-east-1", "US East (N. Virginia)", false},
	{"us-east-2", "US East (Ohio)", false},
	{"us-west-1", "US West (N. California)", false},
	{"us-west-2", "US West (Oregon)", false},
}

// PublicRegions lists every region of the commercial partition, by name.
func PublicRegions() []PublicRegion { return publicRegions }
