# The network-account design across accounts: the hub (the default
# provider's account) shares its transit gateway through RAM with a spoke
# account; the spoke accepts the share, attaches its VPC and routes to the
# hub; the hub accepts the attachment.

provider "aws" {
  alias                       = "spoke"
  region                      = "us-east-1"
  access_key                  = "210987654321"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
    ram = var.endpoint
  }
}

resource "aws_ram_resource_share" "tgw" {
  name                      = "network-account-tgw"
  allow_external_principals = true
  tags                      = { Name = "network-account-tgw" }
}

resource "aws_ram_resource_association" "tgw" {
  resource_arn       = aws_ec2_transit_gateway.core.arn
  resource_share_arn = aws_ram_resource_share.tgw.arn
}

resource "aws_ram_principal_association" "spoke" {
  principal          = "210987654321"
  resource_share_arn = aws_ram_resource_share.tgw.arn
}

resource "aws_ram_resource_share_accepter" "spoke" {
  provider  = aws.spoke
  share_arn = aws_ram_principal_association.spoke.resource_share_arn
}

resource "aws_vpc" "spoke" {
  provider   = aws.spoke
  cidr_block = "10.82.0.0/16"
  tags       = { Name = "spoke" }
}

resource "aws_subnet" "spoke" {
  provider          = aws.spoke
  vpc_id            = aws_vpc.spoke.id
  cidr_block        = "10.82.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke" {
  provider           = aws.spoke
  depends_on         = [aws_ram_resource_share_accepter.spoke, aws_ram_resource_association.tgw]
  transit_gateway_id = aws_ec2_transit_gateway.core.id
  vpc_id             = aws_vpc.spoke.id
  subnet_ids         = [aws_subnet.spoke.id]
  tags               = { Name = "spoke" }
}

resource "aws_ec2_transit_gateway_vpc_attachment_accepter" "spoke" {
  transit_gateway_attachment_id = aws_ec2_transit_gateway_vpc_attachment.spoke.id
  tags                          = { Name = "spoke" }
}

resource "aws_route_table" "spoke" {
  provider = aws.spoke
  vpc_id   = aws_vpc.spoke.id
  route {
    cidr_block         = aws_vpc.hub.cidr_block
    transit_gateway_id = aws_ec2_transit_gateway.core.id
  }
  depends_on = [aws_ec2_transit_gateway_vpc_attachment_accepter.spoke]
}
