package dataplane

import (
	"fmt"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
)

// ECR's registry (the ecr.dkr endpoint, ACCOUNT.dkr.ecr.REGION.amazonaws.com)
// speaks the Docker Registry HTTP API V2, which no botocore model
// describes. Its requests are decided on the actions ECR's documentation
// asks a pull (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) and a push
// (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload,
// ecr:BatchCheckLayerAvailability, ecr:PutImage) to be allowed, on the
// repository arn:aws:ecr:REGION:ACCOUNT:repository/NAME. Which route is
// which action is vpce's reading of the two (AWS does not publish the
// table): a manifest read is BatchGetImage, a manifest written PutImage,
// a layer read GetDownloadUrlForLayer, a layer's existence checked (HEAD,
// as a push does) BatchCheckLayerAvailability, an upload started, sent and
// completed Initiate/UploadLayerPart/Complete, a tag list ListImages; the
// registry's version check (GET /v2/) is GetAuthorizationToken on "*", the
// action every ECR policy example grants beside them.

// registryAction returns the ECR operation of a registry request and the
// repository it names ("" for the version check and unknown routes).
func registryAction(method, path string) (op, repo string) {
	segs := splitPath(path)
	if len(segs) == 0 || segs[0] != "v2" {
		return "UnknownOperation", ""
	}
	segs = segs[1:]
	n := len(segs)
	name := func(k int) string { return strings.Join(segs[:n-k], "/") }
	switch {
	case n == 0:
		return "GetAuthorizationToken", ""
	case n >= 3 && segs[n-2] == "manifests":
		switch method {
		case "GET", "HEAD":
			return "BatchGetImage", name(2)
		case "PUT":
			return "PutImage", name(2)
		case "DELETE":
			return "BatchDeleteImage", name(2)
		}
		return "UnknownOperation", name(2)
	case n >= 3 && segs[n-2] == "tags" && segs[n-1] == "list":
		return "ListImages", name(2)
	case n >= 3 && segs[n-2] == "blobs" && segs[n-1] == "uploads":
		return "InitiateLayerUpload", name(2)
	case n >= 4 && segs[n-3] == "blobs" && segs[n-2] == "uploads":
		switch method {
		case "PATCH":
			return "UploadLayerPart", name(3)
		case "PUT":
			return "CompleteLayerUpload", name(3)
		}
		return "UploadLayerPart", name(3) // an upload's status, or its cancel
	case n >= 3 && segs[n-2] == "blobs":
		if method == "HEAD" {
			return "BatchCheckLayerAvailability", name(2)
		}
		return "GetDownloadUrlForLayer", name(2)
	}
	return "UnknownOperation", ""
}

// registryRepository is the ARN of a repository of the registry at host
// (its first label is the registry's account), else of the source's.
func registryRepository(host, repo string, sc cloud.Scope) string {
	account, region := sc.Account, sc.Region
	labels := strings.Split(host, ".")
	if len(labels) >= 5 && labels[1] == "dkr" && labels[2] == "ecr" && isAccountID(labels[0]) {
		account, region = labels[0], labels[3]
	}
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, account, repo)
}
