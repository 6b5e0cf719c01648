// s3dest's whole pipeline in one include: config, input rows, layout, encoders, sinks,
// manifest. See destination/load.hpp for the steps of a load.
#pragma once

#include "s3dest/destination/config.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/destination/manifest.hpp"
#include "s3dest/sink/dry_run.hpp"
#include "s3dest/sink/local_folder.hpp"
#include "s3dest/version.hpp"
