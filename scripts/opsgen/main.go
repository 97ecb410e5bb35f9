// Command opsgen writes two tables from botocore's service models: the
// EC2 API's parameters per action (internal/ec2query/params.json, so that
// a parameter AWS does not take is UnknownParameter), and the data
// plane's table of operations (internal/dataplane/operations.json):
// for every service in vpce's catalog, the protocols it speaks, the JSON
// target prefix, and for REST services each operation's method and
// request URI, so that a request is named by the model rather than by a
// hand-written list.
//
//	git clone --depth 1 https://github.com/boto/botocore /tmp/botocore
//	go run ./scripts/opsgen -botocore /tmp/botocore/botocore/data -commit $(git -C /tmp/botocore rev-parse HEAD)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/ec2query"
)

// ec2Model is the part of botocore's EC2 model that the parameter table
// is made from.
type ec2Model struct {
	Operations map[string]struct {
		Input struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]struct {
		Members map[string]struct {
			LocationName string `json:"locationName"`
			QueryName    string `json:"queryName"`
		} `json:"members"`
	} `json:"shapes"`
}

// writeEC2Params writes, for every EC2 action vpce serves, the top-level
// query parameters AWS's model takes (the EC2 protocol's serialized names:
// queryName, else locationName capitalized, else the member's name).
func writeEC2Params(dir, commit, out string) {
	versions, _ := filepath.Glob(filepath.Join(dir, "ec2", "*", "service-2.json"))
	if len(versions) == 0 {
		log.Fatal("no ec2 model")
	}
	sort.Strings(versions)
	b, err := os.ReadFile(versions[len(versions)-1])
	if err != nil {
		log.Fatal(err)
	}
	var m ec2Model
	if err := json.Unmarshal(b, &m); err != nil {
		log.Fatal(err)
	}
	served := ec2query.New(ec2query.Config{}).Actions()
	sort.Strings(served)
	table := map[string][]string{}
	for _, a := range served {
		op, ok := m.Operations[a]
		if !ok {
			log.Printf("%s: not in botocore's EC2 model", a)
			continue
		}
		names := []string{}
		for name, mem := range m.Shapes[op.Input.Shape].Members {
			switch {
			case mem.QueryName != "":
				name = mem.QueryName
			case mem.LocationName != "":
				name = strings.ToUpper(mem.LocationName[:1]) + mem.LocationName[1:]
			}
			names = append(names, name)
		}
		sort.Strings(names)
		table[a] = names
	}
	doc := struct {
		Source  string              `json:"source"`
		Actions map[string][]string `json:"actions"`
	}{fmt.Sprintf("botocore %s: botocore/data/ec2/%s/service-2.json (Apache-2.0), written by scripts/opsgen", commit, filepath.Base(filepath.Dir(versions[len(versions)-1]))), table}
	j, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(out, append(j, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d actions\n", out, len(table))
}

// model is the part of a botocore service-2.json that opsgen reads.
type model struct {
	Metadata struct {
		Protocol       string   `json:"protocol"`
		Protocols      []string `json:"protocols"`
		EndpointPrefix string   `json:"endpointPrefix"`
		TargetPrefix   string   `json:"targetPrefix"`
		ServiceID      string   `json:"serviceId"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
	} `json:"operations"`
}

// service is one catalog service's entry in the table.
type service struct {
	Models       []string    `json:"models"`
	Protocols    []string    `json:"protocols"`
	TargetPrefix []string    `json:"targetPrefixes,omitempty"`
	REST         [][3]string `json:"rest,omitempty"` // method, request URI, operation
	Operations   []string    `json:"operations,omitempty"`
}

// aliases name the model of catalog services whose short name and DNS
// label are not a model's endpoint prefix.
var aliases = map[string][]string{
	"kinesis-streams":           {"kinesis"},
	"kinesis-firehose":          {"firehose"},
	"airflow.api":               {"mwaa"},
	"airflow.env":               {"mwaa"},
	"iot.data":                  {"iot-data"},
	"iot.credentials":           {"iot"},
	"iotsitewise.api":           {"iotsitewise"},
	"iotsitewise.data":          {"iotsitewise"},
	"qldb.session":              {"qldb-session"},
	"pricing.api":               {"pricing"},
	"sagemaker.api":             {"sagemaker"},
	"sagemaker.runtime":         {"sagemaker-runtime"},
	"codeartifact.api":          {"codeartifact"},
	"codeartifact.repositories": {"codeartifact"},
	"sync-states":               {"stepfunctions"},
	"elasticloadbalancing":      {"elb", "elbv2"},
	"greengrass":                {"greengrass", "greengrassv2"},
	"execute-api":               {"apigatewaymanagementapi"},
	"appsync-api":               {"appsync"},
	"guardduty-data":            {"guardduty"},
}

func main() {
	dir := flag.String("botocore", "", "botocore's data folder (botocore/data)")
	commit := flag.String("commit", "", "the botocore commit the folder is from (recorded as the source)")
	out := flag.String("out", "internal/dataplane/operations.json", "file to write")
	ec2Out := flag.String("ec2-out", "internal/ec2query/params.json", "the EC2 actions' parameter table to write")
	flag.Parse()
	if *dir == "" {
		log.Fatal("-botocore DIR is required")
	}
	writeEC2Params(*dir, *commit, *ec2Out)
	models := map[string]*model{}
	byPrefix := map[string][]string{}
	entries, err := os.ReadDir(*dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		versions, _ := filepath.Glob(filepath.Join(*dir, e.Name(), "*", "service-2.json"))
		if len(versions) == 0 {
			continue
		}
		sort.Strings(versions) // API versions are dates: the newest last
		b, err := os.ReadFile(versions[len(versions)-1])
		if err != nil {
			log.Fatal(err)
		}
		m := &model{}
		if err := json.Unmarshal(b, m); err != nil {
			log.Fatalf("%s: %v", versions[len(versions)-1], err)
		}
		models[e.Name()] = m
		byPrefix[m.Metadata.EndpointPrefix] = append(byPrefix[m.Metadata.EndpointPrefix], e.Name())
	}
	table := map[string]*service{}
	var missing []string
	for _, s := range catalog.Services("us-east-1") {
		if s.Short == "s3" || s.Short == "ec2" {
			continue // S3 has its own table; EC2 is vpce's own API
		}
		names := aliases[s.Short]
		if names == nil {
			names = byPrefix[s.Short]
		}
		if names == nil {
			names = byPrefix[s.DNSLabel]
		}
		if len(names) > 1 && slices.Contains(names, s.Short) {
			names = []string{s.Short}
		}
		if len(names) == 0 {
			missing = append(missing, s.Short)
			continue
		}
		names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return models[n] == nil })
		if len(names) == 0 {
			missing = append(missing, s.Short)
			continue
		}
		svc := &service{}
		for _, name := range names {
			m := models[name]
			svc.Models = append(svc.Models, name)
			protos := m.Metadata.Protocols
			if len(protos) == 0 {
				protos = []string{m.Metadata.Protocol}
			}
			for _, p := range protos {
				if !slices.Contains(svc.Protocols, p) {
					svc.Protocols = append(svc.Protocols, p)
				}
			}
			if t := m.Metadata.TargetPrefix; t != "" && !slices.Contains(svc.TargetPrefix, t) {
				svc.TargetPrefix = append(svc.TargetPrefix, t)
			}
			rest := slices.Contains(protos, "rest-json") || slices.Contains(protos, "rest-xml")
			for op, o := range m.Operations {
				if rest {
					svc.REST = append(svc.REST, [3]string{o.HTTP.Method, o.HTTP.RequestURI, op})
				} else if !slices.Contains(svc.Operations, op) {
					svc.Operations = append(svc.Operations, op)
				}
			}
		}
		sort.Slice(svc.REST, func(i, j int) bool {
			a, b := svc.REST[i], svc.REST[j]
			if a[1] != b[1] {
				return a[1] < b[1]
			}
			if a[0] != b[0] {
				return a[0] < b[0]
			}
			return a[2] < b[2]
		})
		sort.Strings(svc.Operations)
		table[s.Short] = svc
	}
	doc := struct {
		Source   string              `json:"source"`
		Missing  []string            `json:"withoutModel"`
		Services map[string]*service `json:"services"`
	}{
		Source:   fmt.Sprintf("botocore %s: botocore/data/*/<newest API version>/service-2.json (Apache-2.0), written by scripts/opsgen", *commit),
		Missing:  missing,
		Services: table,
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d services, %d without a model: %s\n", *out, len(table), len(missing), strings.Join(missing, " "))
}
