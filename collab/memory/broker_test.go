package memory_test

import (
	"testing"

	"tabula/collab"
	"tabula/collab/brokertest"
	"tabula/collab/memory"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(*testing.T) collab.Broker { return memory.NewBroker() })
}
