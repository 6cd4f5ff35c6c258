package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// The provider is served by the framework, but for ipam_address_spaces, whose calls server routes
// to bulkResource (address_spaces_resource.go explains why). Everything else passes through.

// NewServer returns the provider's protocol 6 server factory: the one main serves.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return newServer(ipamProvider{version: version})
}

// NewServerWithClient is NewServer with a client of the caller's instead of a connection: the
// provider block's settings are then ignored. Tests use it with a fake.
func NewServerWithClient(version string, client ipam.Client) func() (tfprotov6.ProviderServer, error) {
	return newServer(ipamProvider{version: version, client: client})
}

func newServer(p ipamProvider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		shared := &sharedClient{}
		p := p
		p.shared = shared
		return &server{ProviderServer: providerserver.NewProtocol6(&p)(), bulk: &bulkResource{client: shared.get}}, nil
	}
}

// sharedClient hands the client the framework's provider configured to bulkResource.
type sharedClient struct {
	mu     sync.Mutex
	client ipam.Client
}

func (s *sharedClient) set(c ipam.Client) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.client = c
	s.mu.Unlock()
}

func (s *sharedClient) get() ipam.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// server is the framework's server with ipam_address_spaces added.
type server struct {
	tfprotov6.ProviderServer
	bulk *bulkResource
}

func (s *server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp, err := s.ProviderServer.GetMetadata(ctx, req)
	if err == nil && resp != nil {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: bulkTypeName})
	}
	return resp, err
}

func (s *server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := s.ProviderServer.GetProviderSchema(ctx, req)
	if err == nil && resp != nil {
		if resp.ResourceSchemas == nil {
			resp.ResourceSchemas = map[string]*tfprotov6.Schema{}
		}
		resp.ResourceSchemas[bulkTypeName] = bulkSchema()
	}
	return resp, err
}

// route sends a call about ipam_address_spaces to bulk, any other to the framework.
func route[Req, Resp any](ctx context.Context, typeName string, req *Req, bulk, framework func(context.Context, *Req) (*Resp, error)) (*Resp, error) {
	if typeName == bulkTypeName {
		return bulk(ctx, req)
	}
	return framework(ctx, req)
}

// The calls about one resource type go to the one that serves it. MoveResourceState names the
// type it moves to.
func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.ValidateResourceConfig, s.ProviderServer.ValidateResourceConfig)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.UpgradeResourceState, s.ProviderServer.UpgradeResourceState)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.ReadResource, s.ProviderServer.ReadResource)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.PlanResourceChange, s.ProviderServer.PlanResourceChange)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.ApplyResourceChange, s.ProviderServer.ApplyResourceChange)
}

func (s *server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.ImportResourceState, s.ProviderServer.ImportResourceState)
}

func (s *server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return route(ctx, req.TargetTypeName, req, s.bulk.MoveResourceState, s.ProviderServer.MoveResourceState)
}

func (s *server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.UpgradeResourceIdentity, s.ProviderServer.UpgradeResourceIdentity)
}

func (s *server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return route(ctx, req.TypeName, req, s.bulk.GenerateResourceConfig, s.ProviderServer.GenerateResourceConfig)
}

// terraform-plugin-go keeps list resources out of tfprotov6.ProviderServer for now (its server
// looks for tfprotov6.ListResourceServer beside it), so embedding does not pass them through:
// server forwards them to the framework, which serves every list resource
// (address_space_list_resource.go).
var _ tfprotov6.ListResourceServer = (*server)(nil)

func (s *server) listServer() (tfprotov6.ListResourceServer, error) {
	ls, ok := s.ProviderServer.(tfprotov6.ListResourceServer)
	if !ok {
		return nil, fmt.Errorf("the framework's server %T serves no list resources", s.ProviderServer)
	}
	return ls, nil
}

func (s *server) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	ls, err := s.listServer()
	if err != nil {
		return nil, err
	}
	return ls.ValidateListResourceConfig(ctx, req)
}

func (s *server) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	ls, err := s.listServer()
	if err != nil {
		return nil, err
	}
	return ls.ListResource(ctx, req)
}
