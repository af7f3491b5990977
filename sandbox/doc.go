// Package sandbox is an offline, stateful simulator of ACI Worldwide's OPPWA
// server-to-server payments API (/v1/payments), in the spirit of stripe-mock: it
// answers like the platform's test system from the contract in package fixtures, so
// integration and conformance tests can run without the network.
//
// Endpoints: POST /v1/payments (PA, DB, CD, PA.CP), POST /v1/payments/{id} (CP, RF,
// RV), GET /v1/payments/{id}, GET /v1/query/{id}, GET /v1/query?merchantTransactionId=,
// GET /v1/resultcodes, plus the shopper pages under /connectors/demo/ (brand demo
// checkout and 3-D Secure ACS) that async redirects point to.
//
// See README.md in this directory for the behaviours public sources do not settle
// and the choice the sandbox makes for each.
package sandbox
