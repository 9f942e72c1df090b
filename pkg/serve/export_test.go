package serve

// TakeSlots occupies every generation slot until the returned func is
// called, so tests can fill the server deterministically.
func (s *Server) TakeSlots() func() {
	for range cap(s.slots) {
		s.slots <- struct{}{}
	}
	return func() {
		for range cap(s.slots) {
			<-s.slots
		}
	}
}
