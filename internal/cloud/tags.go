package cloud

import (
	"context"
	"encoding/xml"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vpce/vpce/internal/apierr"
)

// Tag is a key/value pair on a resource.
type Tag struct {
	Key   string `ec2:"Key" xml:"key" json:"k"`
	Value string `ec2:"Value" xml:"value" json:"v"`
}

// EmptyList is a list AWS always includes in an answer and vpce never
// fills (IPv6 associations, propagating gateways): encoding/xml writes
// its "name>item" field as an empty element.
type EmptyList []struct{}

// TagSet is a resource's tags as AWS answers them, <tagSet><item>…</item>…;
// a field `xml:"tagSet,omitempty"` leaves it out when there are none, as
// AWS does (encoding/xml's "tagSet>item,omitempty" would still write an
// empty <tagSet>).
type TagSet []Tag

// MarshalXML writes the tags as items of start.
func (s TagSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Items []Tag `xml:"item"`
	}{s}, start)
}

// TagSpecification is one TagSpecification.N of a create request.
type TagSpecification struct {
	ResourceType string `ec2:"ResourceType"`
	Tags         []Tag  `ec2:"Tag"`
}

const maxTags = 50

func validateTags(tags []Tag) error {
	if len(tags) > maxTags {
		return apierr.New("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
	}
	for _, t := range tags {
		switch {
		case t.Key == "":
			return apierr.InvalidValue("Tag key cannot be empty")
		case utf8.RuneCountInString(t.Key) > 128:
			return apierr.InvalidValue("Tag key exceeds the maximum length of 128 characters")
		case utf8.RuneCountInString(t.Value) > 256:
			return apierr.InvalidValue("Tag value exceeds the maximum length of 256 characters")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return apierr.InvalidValue("Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return nil
}

// tagsFor returns the tags that specs give to resources of resourceType,
// refusing specifications for types the action does not create.
func tagsFor(specs []TagSpecification, allowed ...string) (map[string][]Tag, error) {
	out := map[string][]Tag{}
	for _, s := range specs {
		if s.ResourceType == "" {
			return nil, apierr.InvalidValue("Tag specification resource type must have a value")
		}
		if len(s.Tags) == 0 {
			return nil, apierr.InvalidValue("Tag specification must have at least one tag")
		}
		if !slices.Contains(allowed, s.ResourceType) {
			return nil, apierr.InvalidValue("'%s' is not a valid taggable resource type for this operation.", s.ResourceType)
		}
		out[s.ResourceType] = mergeTags(out[s.ResourceType], s.Tags)
		if err := validateTags(out[s.ResourceType]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mergeTags sets each of add on tags, replacing values of existing keys.
func mergeTags(tags, add []Tag) []Tag {
	out := slices.Clone(tags)
	for _, a := range add {
		i := slices.IndexFunc(out, func(t Tag) bool { return t.Key == a.Key })
		if i >= 0 {
			out[i].Value = a.Value
		} else {
			out = append(out, a)
		}
	}
	return out
}

// taggable is one resource kind that CreateTags, DeleteTags and DescribeTags
// reach, found by its ID prefix.
type taggable struct {
	prefix, kind, resourceType, notFound, noun string
	// tags returns a pointer to the tag list inside a decoded object.
	get func(tx *txn, id string) (any, *TagSet, error)
	all func(tx *txn) ([]taggedObject, error)
	// save stores what get returned, changed (nil: the object by its ID).
	save func(tx *txn, id string, obj any) error
}

// store writes a tagged object back.
func (t taggable) store(tx *txn, id string, obj any) error {
	if t.save != nil {
		return t.save(tx, id, obj)
	}
	return putObj(tx, t.kind, id, obj)
}

type taggedObject struct {
	id   string
	tags []Tag
}

func taggableKind[T any](prefix, kind, resourceType, notFound, noun string, id func(*T) string, tags func(*T) *TagSet, visible func(*txn, *T) bool) taggable {
	return taggable{
		prefix: prefix, kind: kind, resourceType: resourceType, notFound: notFound, noun: noun,
		get: func(tx *txn, oid string) (any, *TagSet, error) {
			v, err := getOr[T](tx, kind, oid, func() error { return apierr.New(notFound, "The %s ID '%s' does not exist", noun, oid) })
			if err != nil {
				return nil, nil, err
			}
			if visible != nil && !visible(tx, v) {
				return nil, nil, apierr.New(notFound, "The %s ID '%s' does not exist", noun, oid)
			}
			return v, tags(v), nil
		},
		all: func(tx *txn) ([]taggedObject, error) {
			vs, err := listObj[T](tx, kind)
			if err != nil {
				return nil, err
			}
			var out []taggedObject
			for _, v := range vs {
				if visible != nil && !visible(tx, v) {
					continue
				}
				out = append(out, taggedObject{id(v), *tags(v)})
			}
			return out, nil
		},
	}
}

var taggables []taggable

// findTaggable finds the kind an ID names by its longest matching prefix
// (tgw-attach- before tgw-).
func findTaggable(id string) (taggable, error) {
	best := -1
	for i, t := range taggables {
		if strings.HasPrefix(id, t.prefix+"-") && (best < 0 || len(t.prefix) > len(taggables[best].prefix)) {
			best = i
		}
	}
	if best < 0 {
		return taggable{}, apierr.New("InvalidID", "The ID '%s' is not valid", id)
	}
	t := taggables[best]
	if err := checkID(id, t.prefix, "InvalidID"); err != nil {
		return t, apierr.New("InvalidID", "The ID '%s' is not valid", id)
	}
	return t, nil
}

// CreateTagsInput is the input of CreateTags.
type CreateTagsInput struct {
	Resources []string `ec2:"ResourceId,required,missing=resourceIdSet"`
	Tags      []Tag    `ec2:"Tag"`
}

// CreateTags adds or overwrites tags on resources.
func (c *Cloud) CreateTags(ctx context.Context, sc Scope, in *CreateTagsInput) (*Return, error) {
	if len(in.Tags) == 0 {
		return nil, apierr.InvalidValue("You must specify one or more tags to create")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		for _, id := range in.Resources {
			t, err := findTaggable(id)
			if err != nil {
				return err
			}
			obj, tags, err := t.get(tx, id)
			if err != nil {
				return err
			}
			*tags = mergeTags(*tags, in.Tags)
			if err := validateTags(*tags); err != nil {
				return err
			}
			if err := t.store(tx, id, obj); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeleteTagsInput is the input of DeleteTags.
type DeleteTagsInput struct {
	Resources []string `ec2:"ResourceId,required,missing=resourceIdSet"`
	Tags      []struct {
		Key   string  `ec2:"Key"`
		Value *string `ec2:"Value"`
	} `ec2:"Tag"`
}

// DeleteTags removes tags from resources. A tag given with a value is
// removed only when the value matches; with no tags, all are removed.
func (c *Cloud) DeleteTags(ctx context.Context, sc Scope, in *DeleteTagsInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		for _, id := range in.Resources {
			t, err := findTaggable(id)
			if err != nil {
				return err
			}
			obj, tags, err := t.get(tx, id)
			if err != nil {
				return err
			}
			if len(in.Tags) == 0 {
				*tags = nil
			} else {
				*tags = slices.DeleteFunc(*tags, func(have Tag) bool {
					for _, d := range in.Tags {
						if d.Key == have.Key && (d.Value == nil || *d.Value == have.Value) {
							return true
						}
					}
					return false
				})
			}
			if err := t.store(tx, id, obj); err != nil {
				return err
			}
		}
		return nil
	})
}

// TagDescription is one item of DescribeTags.
type TagDescription struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

// DescribeTagsInput is the input of DescribeTags.
type DescribeTagsInput struct {
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeTagsOutput is the output of DescribeTags.
type DescribeTagsOutput struct {
	Tags      []*TagDescription `xml:"tagSet>item"`
	NextToken string            `xml:"nextToken,omitempty"`
}

var tagFields = fields[TagDescription]{
	"key":           func(t *TagDescription) []string { return one(t.Key) },
	"value":         func(t *TagDescription) []string { return one(t.Value) },
	"resource-id":   func(t *TagDescription) []string { return one(t.ResourceID) },
	"resource-type": func(t *TagDescription) []string { return one(t.ResourceType) },
}

// DescribeTags lists the tags of every taggable resource in the scope.
func (c *Cloud) DescribeTags(ctx context.Context, sc Scope, in *DescribeTagsInput) (*DescribeTagsOutput, error) {
	out := &DescribeTagsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		var all []*TagDescription
		for _, t := range taggables {
			objs, err := t.all(tx)
			if err != nil {
				return err
			}
			for _, o := range objs {
				for _, tag := range o.tags {
					all = append(all, &TagDescription{ResourceID: o.id, ResourceType: t.resourceType, Key: tag.Key, Value: tag.Value})
				}
			}
		}
		all, err := filter(ctx, all, in.Filters, tagFields, nil)
		if err != nil {
			return err
		}
		// One resource may carry many tags: page by resource and key.
		out.Tags, out.NextToken, err = paginate(all, func(t *TagDescription) string { return t.ResourceID + "\x00" + t.Key }, in.Page, 5, 1000)
		return err
	})
	return out, err
}
