package policy

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
)

// Principal values in policies, classified once at parse time.
const (
	pvExact   = iota // matches that principal ARN (a user, a session, a federated user…) only
	pvAll            // "*": everyone, anonymous callers included
	pvAccount        // "123456789012" or arn:aws:iam::123456789012:root: the account
	pvRole           // arn:aws:iam::123456789012:role/[path/]name: the role and its sessions
)

type principalValue struct {
	kind    uint8
	raw     string
	account string
	// role is the role's name (the last part of its path): IAM role names
	// are unique in an account, paths are not part of that, and a session
	// ARN carries the name only.
	role string
}

// classifyPrincipal reads an AWS principal value; msg says why it is not
// valid, "" when it is.
func classifyPrincipal(a string) (pv principalValue, msg string) {
	pv = principalValue{kind: pvExact, raw: a}
	switch {
	case a == "*":
		pv.kind = pvAll
		return pv, ""
	case isAccountID(a):
		pv.kind, pv.account = pvAccount, a
		return pv, ""
	case uniqueIDRE.MatchString(a):
		// A unique ID (AIDA…, AROA…): what IAM shows when the user or role
		// named has been deleted. It matches no caller by ARN.
		return pv, ""
	case !strings.HasPrefix(a, "arn:"):
		return pv, a + " is neither an ARN, an account ID nor \"*\""
	}
	if strings.ContainsAny(a, "*?") {
		return pv, a + " has a wildcard; principal ARNs take none"
	}
	segs, ok := splitARN(a)
	if !ok || !isAccountID(segs[4]) {
		return pv, "the account of " + a + " must be an account ID"
	}
	pv.account = segs[4]
	switch {
	case segs[2] == "iam" && segs[5] == "root":
		pv.kind = pvAccount
	case segs[2] == "iam" && strings.HasPrefix(segs[5], "role/"):
		pv.kind = pvRole
		pv.role = segs[5][strings.LastIndexByte(segs[5], '/')+1:]
	}
	return pv, ""
}

// Callers, as the engine tells them apart.
const (
	callerAnonymous = iota
	callerRoot
	callerUser
	callerRole    // the role itself (arn:aws:iam::…:role/…)
	callerSession // a session of a role (arn:aws:sts::…:assumed-role/R/S)
	callerFederated
	callerService
	callerOther
)

type caller struct {
	kind    uint8
	account string
	role    string // for roles and sessions: the role's name
}

// callerOf classifies a request's caller from its ARN without allocating.
func callerOf(r *Request) caller {
	if r.PrincipalARN == "" {
		switch {
		case r.PrincipalService != "":
			return caller{kind: callerService}
		case r.PrincipalFederated != "" || r.PrincipalCanonicalUser != "":
			return caller{kind: callerOther, account: r.PrincipalAccount}
		}
		return caller{kind: callerAnonymous, account: r.PrincipalAccount}
	}
	c := caller{kind: callerOther, account: r.principalAccount()}
	segs, ok := splitARN(r.PrincipalARN)
	if !ok {
		return c
	}
	switch res := segs[5]; {
	case segs[2] == "iam" && res == "root":
		c.kind = callerRoot
	case segs[2] == "iam" && strings.HasPrefix(res, "user/"):
		c.kind = callerUser
	case segs[2] == "iam" && strings.HasPrefix(res, "role/"):
		c.kind, c.role = callerRole, res[strings.LastIndexByte(res, '/')+1:]
	case segs[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		name, _, _ := strings.Cut(res[len("assumed-role/"):], "/")
		c.kind, c.role = callerSession, name
	case segs[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		c.kind = callerFederated
	}
	return c
}

// Strengths of a principal match, weakest first. What a resource-policy
// grant is worth depends on it (the evaluation logic page): a grant to the
// account only delegates to the account's identity policies; a grant to a
// role ARN reaches its sessions but stays limited by their permissions
// boundary; a grant naming the exact user or session ARN (or "*") is not.
const (
	matchNone = iota
	matchAccount
	matchRole
	matchDirect
)

// ErrPrincipal is returned for a caller ARN the engine cannot take.
var ErrPrincipal = errors.New("principal must be an IAM user, role or root ARN, an assumed-role or federated-user session ARN")

// SetCaller makes arn the request's caller and sets the global condition
// keys AWS derives from it (the global condition keys page):
// aws:PrincipalArn (for a role session, the role's ARN), aws:PrincipalAccount,
// aws:PrincipalType, aws:userid (for a session ROLEID:session) and, for
// IAM users, aws:username. uniqueID is the user's or role's unique ID
// (AIDA…, AROA…); empty derives a stable one from the ARN. An empty arn is
// an anonymous caller.
func (r *Request) SetCaller(arn, uniqueID string) error {
	r.PrincipalARN = arn
	if arn == "" {
		r.Context.Set("aws:PrincipalType", "Anonymous")
		return nil
	}
	segs, ok := splitARN(arn)
	if !ok || !isAccountID(segs[4]) || strings.ContainsAny(arn, "*?") {
		return fmt.Errorf("%q: %w", arn, ErrPrincipal)
	}
	acct, res := segs[4], segs[5]
	id := func(prefix string) string {
		if uniqueID != "" {
			return uniqueID
		}
		h := fnv.New64a()
		h.Write([]byte(arn))
		return prefix + strings.ToUpper(fmt.Sprintf("%017x", h.Sum64()))[:17]
	}
	r.Context.Set("aws:PrincipalAccount", acct)
	switch {
	case segs[2] == "iam" && res == "root":
		r.Context.Set("aws:PrincipalArn", arn)
		r.Context.Set("aws:PrincipalType", "Account")
		r.Context.Set("aws:userid", acct)
	case segs[2] == "iam" && strings.HasPrefix(res, "user/") && len(res) > len("user/"):
		r.Context.Set("aws:PrincipalArn", arn)
		r.Context.Set("aws:PrincipalType", "User")
		r.Context.Set("aws:userid", id("AIDA"))
		r.Context.Set("aws:username", res[strings.LastIndexByte(res, '/')+1:])
	case segs[2] == "iam" && strings.HasPrefix(res, "role/") && len(res) > len("role/"):
		// The role itself, as IAM's simulator takes a role ARN.
		r.Context.Set("aws:PrincipalArn", arn)
		r.Context.Set("aws:PrincipalType", "AssumedRole")
		r.Context.Set("aws:userid", id("AROA"))
	case segs[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		role, session, ok := strings.Cut(res[len("assumed-role/"):], "/")
		if !ok || role == "" || session == "" {
			return fmt.Errorf("%q: an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: %w", arn, ErrPrincipal)
		}
		roleARN := "arn:" + segs[1] + ":iam::" + acct + ":role/" + role
		r.Context.Set("aws:PrincipalArn", roleARN)
		r.Context.Set("aws:PrincipalType", "AssumedRole")
		if uniqueID == "" {
			h := fnv.New64a()
			h.Write([]byte(roleARN))
			uniqueID = "AROA" + strings.ToUpper(fmt.Sprintf("%017x", h.Sum64()))[:17]
		}
		r.Context.Set("aws:userid", uniqueID+":"+session)
	case segs[2] == "sts" && strings.HasPrefix(res, "federated-user/") && len(res) > len("federated-user/"):
		r.Context.Set("aws:PrincipalArn", arn)
		r.Context.Set("aws:PrincipalType", "FederatedUser")
		r.Context.Set("aws:userid", acct+":"+res[len("federated-user/"):])
	default:
		return fmt.Errorf("%q: %w", arn, ErrPrincipal)
	}
	return nil
}
