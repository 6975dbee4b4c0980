<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py: a CityGML 2.0 building model, not an XPlanGML plan. -->
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0"
    xmlns:bldg="http://www.opengis.net/citygml/building/2.0"
    xmlns:gml="http://www.opengis.net/gml">
  <gml:boundedBy>
    <gml:Envelope srsName="urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH" srsDimension="3">
      <gml:lowerCorner>633000 5497000 310</gml:lowerCorner>
      <gml:upperCorner>633010 5497010 319.5</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <core:cityObjectMember>
    <bldg:Building gml:id="BLDG_X">
      <bldg:measuredHeight uom="urn:adv:uom:m">9.5</bldg:measuredHeight>
      <bldg:lod0FootPrint>
        <gml:MultiSurface>
          <gml:surfaceMember>
            <gml:Polygon>
              <gml:exterior>
                <gml:LinearRing>
                  <gml:posList srsDimension="3">633000 5497000 310 633010 5497000 310 633010 5497010 310 633000 5497010 310 633000 5497000 310</gml:posList>
                </gml:LinearRing>
              </gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
        </gml:MultiSurface>
      </bldg:lod0FootPrint>
    </bldg:Building>
  </core:cityObjectMember>
</core:CityModel>
