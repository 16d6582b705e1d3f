"""What makes a day's build cost a day's work: parsed files kept between runs (cache), the code
part of every key (fingerprint), sealed past years (years), releases sharing their year folders
(shards)."""
