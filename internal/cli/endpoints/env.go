package endpoints

import "os"

var lookupEnv = os.LookupEnv
