# The hybrid and network-account pieces on top of main.tf: a hub VPC on a
# transit gateway with the main VPC's private subnets, a site-to-site VPN
# (static routes, propagated into the private route table), a Route 53
# private hosted zone for the main VPC with an alias to the KMS endpoint,
# and Route 53 Resolver endpoints and a rule (at the end).

resource "aws_vpc" "hub" {
  cidr_block           = "10.81.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "hub" }
}

resource "aws_subnet" "hub" {
  vpc_id            = aws_vpc.hub.id
  cidr_block        = "10.81.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_ec2_transit_gateway" "core" {
  description = "network account"
  tags        = { Name = "core" }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "main" {
  transit_gateway_id = aws_ec2_transit_gateway.core.id
  vpc_id             = aws_vpc.main.id
  subnet_ids         = aws_subnet.private[*].id
}

resource "aws_ec2_transit_gateway_vpc_attachment" "hub" {
  transit_gateway_id = aws_ec2_transit_gateway.core.id
  vpc_id             = aws_vpc.hub.id
  subnet_ids         = [aws_subnet.hub.id]
}

resource "aws_route_table" "hub" {
  vpc_id = aws_vpc.hub.id
  route {
    cidr_block         = aws_vpc.main.cidr_block
    transit_gateway_id = aws_ec2_transit_gateway.core.id
  }
  depends_on = [aws_ec2_transit_gateway_vpc_attachment.hub]
}

resource "aws_route_table_association" "hub" {
  subnet_id      = aws_subnet.hub.id
  route_table_id = aws_route_table.hub.id
}

resource "aws_customer_gateway" "office" {
  bgp_asn    = 65010
  ip_address = "198.51.100.7"
  type       = "ipsec.1"
}

resource "aws_vpn_gateway" "vgw" {
  tags = { Name = "vgw" }
}

resource "aws_vpn_gateway_attachment" "vgw" {
  vpc_id         = aws_vpc.main.id
  vpn_gateway_id = aws_vpn_gateway.vgw.id
}

resource "aws_vpn_connection" "office" {
  customer_gateway_id = aws_customer_gateway.office.id
  vpn_gateway_id      = aws_vpn_gateway.vgw.id
  type                = "ipsec.1"
  static_routes_only  = true
}

resource "aws_vpn_connection_route" "office" {
  destination_cidr_block = "192.168.10.0/24"
  vpn_connection_id      = aws_vpn_connection.office.id
}

resource "aws_vpn_gateway_route_propagation" "private" {
  vpn_gateway_id = aws_vpn_gateway.vgw.id
  route_table_id = aws_route_table.private.id
  depends_on     = [aws_vpn_gateway_attachment.vgw]
}

resource "aws_route53_zone" "corp" {
  name = "corp.internal"
  vpc {
    vpc_id = aws_vpc.main.id
  }
}

resource "aws_route53_record" "db" {
  zone_id = aws_route53_zone.corp.zone_id
  name    = "db.corp.internal"
  type    = "A"
  ttl     = 60
  records = ["10.80.0.10"]
}

resource "aws_route53_record" "kms" {
  zone_id = aws_route53_zone.corp.zone_id
  name    = "kms.corp.internal"
  type    = "A"
  alias {
    name                   = aws_vpc_endpoint.kms.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.kms.dns_entry[0].hosted_zone_id
    evaluate_target_health = false
  }
}

# Route 53 Resolver: an inbound endpoint in the hub (what on premises
# queries), an outbound endpoint in the main VPC, and a rule forwarding
# corp.example from the main VPC to the hub's inbound endpoint.
resource "aws_subnet" "hub_b" {
  vpc_id            = aws_vpc.hub.id
  cidr_block        = "10.81.2.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_security_group" "hub_dns" {
  name        = "hub-dns"
  description = "DNS from on premises and the spokes"
  vpc_id      = aws_vpc.hub.id
  ingress {
    from_port   = 53
    to_port     = 53
    protocol    = "udp"
    cidr_blocks = ["10.0.0.0/8", "192.168.0.0/16"]
  }
}

resource "aws_route53_resolver_endpoint" "inbound" {
  name               = "from-premises"
  direction          = "INBOUND"
  security_group_ids = [aws_security_group.hub_dns.id]
  ip_address {
    subnet_id = aws_subnet.hub.id
    ip        = "10.81.1.53"
  }
  ip_address {
    subnet_id = aws_subnet.hub_b.id
  }
  tags = { Name = "inbound" }
}

resource "aws_route53_resolver_endpoint" "outbound" {
  name               = "to-hub"
  direction          = "OUTBOUND"
  security_group_ids = [aws_security_group.endpoints.id]
  dynamic "ip_address" {
    for_each = aws_subnet.private[*].id
    content {
      subnet_id = ip_address.value
    }
  }
}

resource "aws_route53_resolver_rule" "corp" {
  domain_name          = "corp.example"
  name                 = "corp"
  rule_type            = "FORWARD"
  resolver_endpoint_id = aws_route53_resolver_endpoint.outbound.id
  target_ip {
    ip = "10.81.1.53"
  }
}

resource "aws_route53_resolver_rule_association" "corp" {
  resolver_rule_id = aws_route53_resolver_rule.corp.id
  vpc_id           = aws_vpc.main.id
}
