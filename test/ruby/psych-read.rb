# Reads YAML texts as Pharos does and prints what Psych made of each, as JSON with types kept.
# Input on stdin: a JSON list of texts. Output: a JSON list, per text {"value": ...} or {"error": ...}.
# Pharos (Ruby 2.5, Psych 3.0) calls YAML.safe_load(content, [], [], true, filename)
# (lib/pharos/yaml_file.rb); this is the keyword form of the same call in Ruby 3.1's Psych 4.
require 'psych'
require 'json'

def typed(value)
  case value
  when Hash then { 'map' => value.map { |k, v| [typed(k), typed(v)] } }
  when Array then value.map { |v| typed(v) }
  when String then value.encoding == Encoding::BINARY ? { 'binary' => value.unpack1('H*') } : value
  when Integer then { 'int' => value.to_s }
  when Float then { 'float' => value.nan? ? 'NaN' : value.infinite? ? (value > 0 ? 'Infinity' : '-Infinity') : value.to_s }
  when true, false, nil then value
  else { 'other' => value.class.name }
  end
end

texts = JSON.parse(STDIN.read)
results = texts.map do |text|
  begin
    # Psych 3.0 takes no keywords: there, Pharos's own call (lib/pharos/yaml_file.rb), so this script also reads with a local Psych 3.0.2 build.
    value = if Gem::Version.new(Psych::VERSION) < Gem::Version.new('3.1')
              Psych.safe_load(text, [], [], true, 'cluster.yml')
            else
              Psych.safe_load(text, permitted_classes: [], permitted_symbols: [], aliases: true, filename: 'cluster.yml')
            end
    { 'value' => typed(value) }
  rescue Exception => e
    { 'error' => "#{e.class}: #{e.message.lines.first.to_s.strip}" }
  end
end
STDOUT.write(JSON.generate({ 'psych' => Psych::VERSION, 'libyaml' => Psych.libyaml_version.join('.'), 'results' => results }))
