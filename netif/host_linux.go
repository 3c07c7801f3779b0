package netif

// NewHost builds every Linux seam, bound to the calling thread's network
// namespace.
func NewHost() (Host, error) {
	addrs, err := NewAddresses()
	if err != nil {
		return Host{}, err
	}
	vm, err := NewVMACs()
	if err != nil {
		return Host{}, err
	}
	return Host{
		Listen:    ListenVRRP,
		Addresses: addrs,
		Announcer: NewAnnouncer(),
		Links:     NewLinks(),
		VMACs:     vm,
	}, nil
}
