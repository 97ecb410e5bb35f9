package cloud

import (
	"context"
	"errors"
	"slices"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// kindAttachment is the index record of an interface's attachment:
// attachment ID → interface, for DetachNetworkInterface.
const kindAttachment = "eni-attachment"

// maxInterfacesPerInstance is the most interfaces vpce attaches to one
// instance (AWS's limit depends on the type: 15 for the largest).
const maxInterfacesPerInstance = 15

// instanceView is an interface as DescribeInstances shows it.
func instanceView(e *NetworkInterface) InstanceNetworkInterface {
	v := InstanceNetworkInterface{
		NetworkInterfaceID: e.NetworkInterfaceID, SubnetID: e.SubnetID, VpcID: e.VpcID, Description: e.Description,
		OwnerID: e.OwnerID, MacAddress: e.MacAddress, PrivateIPAddress: e.PrivateIPAddress, PrivateDNSName: e.PrivateDNSName,
		Groups: e.Groups, PrivateIPs: e.PrivateIPs, Ipv6Addresses: instanceIpv6(e.Ipv6Addresses), Association: e.Association,
	}
	if e.Attachment != nil {
		v.Attachment = *e.Attachment
	}
	return v
}

// refreshInterfaces replaces an instance's copies of its interfaces by
// what the interfaces are now (their addresses, groups and attachment
// change after launch).
func (tx *txn) refreshInterfaces(in *Instance, eips map[string][]*Address) error {
	for i, n := range in.NetworkInterfaces {
		e, err := getObj[NetworkInterface](tx, kindENI, n.NetworkInterfaceID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		tx.showAddressesWith([]*NetworkInterface{e}, eips)
		in.NetworkInterfaces[i] = instanceView(e)
	}
	return nil
}

// AttachNetworkInterfaceInput is the input of AttachNetworkInterface.
type AttachNetworkInterfaceInput struct {
	NetworkInterfaceID string `ec2:"NetworkInterfaceId,required"`
	InstanceID         string `ec2:"InstanceId,required"`
	DeviceIndex        *int32 `ec2:"DeviceIndex,required"`
	NetworkCardIndex   *int32 `ec2:"NetworkCardIndex"`
}

// AttachNetworkInterfaceOutput is the output of AttachNetworkInterface.
type AttachNetworkInterfaceOutput struct {
	AttachmentID     string `xml:"attachmentId"`
	NetworkCardIndex int32  `xml:"networkCardIndex"`
}

// AttachNetworkInterface attaches an available interface to an instance
// of its zone at a free device index.
func (c *Cloud) AttachNetworkInterface(ctx context.Context, sc Scope, in *AttachNetworkInterfaceInput) (*AttachNetworkInterfaceOutput, error) {
	if *in.DeviceIndex < 1 {
		return nil, invalidValue("Value (%d) for parameter deviceIndex is invalid. The primary interface of an instance is at device index 0 and is attached at launch.", *in.DeviceIndex)
	}
	if in.NetworkCardIndex != nil && *in.NetworkCardIndex != 0 {
		return nil, invalidValue("Value (%d) for parameter networkCardIndex is invalid. vpce's instances have one network card.", *in.NetworkCardIndex)
	}
	out := &AttachNetworkInterfaceOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		inst, err := tx.instance(in.InstanceID)
		if err != nil {
			return err
		}
		switch st := inst.stateName(tx); {
		case st != "running" && st != "stopped":
			return apierr.New("IncorrectInstanceState", "The instance '%s' is not in a valid state for this operation.", inst.InstanceID)
		case e.RequesterManaged:
			return apierr.New("OperationNotPermitted", "The network interface %s is managed by AWS and cannot be attached to an instance.", e.NetworkInterfaceID)
		case e.Attachment != nil:
			return apierr.New("InvalidNetworkInterface.InUse", "Interface: [%s] in use.", e.NetworkInterfaceID)
		case e.AvailabilityZone != inst.Placement.AvailabilityZone:
			return apierr.New("InvalidParameterCombination", "You may not attach a network interface to an instance if they are not in the same availability zone")
		case len(inst.NetworkInterfaces) >= maxInterfacesPerInstance:
			return apierr.New("AttachmentLimitExceeded", "Interface count %d exceeds the limit for %s", len(inst.NetworkInterfaces)+1, inst.InstanceType)
		}
		if slices.ContainsFunc(inst.NetworkInterfaces, func(n InstanceNetworkInterface) bool { return n.Attachment.DeviceIndex == *in.DeviceIndex }) {
			return invalidValue("Instance '%s' already has an interface attached at device index '%d'.", inst.InstanceID, *in.DeviceIndex)
		}
		e.Status = "in-use"
		e.Attachment = &ENIAttachment{AttachmentID: newID("eni-attach"), InstanceID: inst.InstanceID, InstanceOwnerID: tx.sc.Account,
			DeviceIndex: *in.DeviceIndex, Status: "attached", AttachTime: Timestamp(tx.now)}
		inst.NetworkInterfaces = append(inst.NetworkInterfaces, instanceView(e))
		out.AttachmentID = e.Attachment.AttachmentID
		if err := putObj(tx, kindENI, e.NetworkInterfaceID, e); err != nil {
			return err
		}
		return putObj(tx, kindInstance, inst.InstanceID, inst)
	})
}

// DetachNetworkInterfaceInput is the input of DetachNetworkInterface.
type DetachNetworkInterfaceInput struct {
	AttachmentID string `ec2:"AttachmentId,required"`
	Force        bool   `ec2:"Force"`
}

// DetachNetworkInterface detaches an interface from its instance; the
// primary interface (device index 0) stays.
func (c *Cloud) DetachNetworkInterface(ctx context.Context, sc Scope, in *DetachNetworkInterfaceInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.attachedInterface(in.AttachmentID)
		if err != nil {
			return err
		}
		if e.Attachment.DeviceIndex == 0 {
			return apierr.New("OperationNotPermitted", "The network interface at device index 0 and networkCard index 0 cannot be detached.")
		}
		if inst, err := getObj[Instance](tx, kindInstance, e.Attachment.InstanceID); err == nil {
			inst.NetworkInterfaces = slices.DeleteFunc(inst.NetworkInterfaces, func(n InstanceNetworkInterface) bool { return n.NetworkInterfaceID == e.NetworkInterfaceID })
			if err := putObj(tx, kindInstance, inst.InstanceID, inst); err != nil {
				return err
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		e.Attachment, e.Status = nil, "available"
		return putObj(tx, kindENI, e.NetworkInterfaceID, e)
	})
}

// attachedInterface finds the interface an attachment ID belongs to, by
// the attachment index (state written before it is searched).
func (tx *txn) attachedInterface(attachmentID string) (*NetworkInterface, error) {
	if err := checkID(attachmentID, "eni-attach", "InvalidAttachmentID.Malformed"); err != nil {
		return nil, err
	}
	notFound := apierr.New("InvalidAttachmentID.NotFound", "The attachment ID '%s' does not exist", attachmentID)
	b, err := tx.Get(store.Key{Scope: tx.sc, Kind: kindAttachment, ID: attachmentID})
	switch {
	case err == nil:
		var rec idRec
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, err
		}
		e, err := getOr[NetworkInterface](tx, kindENI, rec.ID, func() error { return notFound })
		if err != nil {
			return nil, err
		}
		if e.Attachment == nil || e.Attachment.AttachmentID != attachmentID {
			return nil, notFound
		}
		return e, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	enis, err := listObj[NetworkInterface](tx, kindENI)
	if err != nil {
		return nil, err
	}
	for _, e := range enis {
		if e.Attachment != nil && e.Attachment.AttachmentID == attachmentID {
			return e, nil
		}
	}
	return nil, notFound
}

// releaseInterfacesTxn ends an instance's attachments when it terminates:
// interfaces marked delete-on-termination are deleted, the others are
// detached and left available, as AWS does.
func (tx *txn) releaseInterfacesTxn(inst *Instance) error {
	for _, n := range inst.NetworkInterfaces {
		e, err := getObj[NetworkInterface](tx, kindENI, n.NetworkInterfaceID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if e.Attachment == nil || e.Attachment.DeleteOnTermination {
			if err := delObj(tx, kindENI, e.NetworkInterfaceID); err != nil {
				return err
			}
			continue
		}
		e.Attachment, e.Status = nil, "available"
		if err := putObj(tx, kindENI, e.NetworkInterfaceID, e); err != nil {
			return err
		}
	}
	return nil
}
