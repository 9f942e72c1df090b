package serve

// TakeSlots occupies every generation slot until the returned func is
// called, so tests can fill the server deterministically.
func (s *Server) TakeSlots() func() {
	s.slots.TryAcquire(int64(s.cfg.Parallel))
	return func() { s.slots.Release(int64(s.cfg.Parallel)) }
}
